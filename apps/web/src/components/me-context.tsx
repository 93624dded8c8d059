"use client";

import { type Permission, roleCan } from "@wharf/api/permissions";
import { createContext, type ReactNode, useContext } from "react";

import type { RouterOutputs } from "~/trpc/react";

export type Me = RouterOutputs["team"]["me"];

const MeContext = createContext<Me | null>(null);

export function MeProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe() needs the dashboard layout's <MeProvider>.");
  return me;
}

/** Hides actions the API would refuse anyway; the server still checks every call. */
export function useCan(permission: Permission): boolean {
  return roleCan(useMe().team.role, permission);
}
