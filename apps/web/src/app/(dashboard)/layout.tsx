import { TRPCError } from "@trpc/server";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";

import { MeProvider } from "~/components/me-context";
import { getSession } from "~/server/auth";
import { getCaller } from "~/trpc/server";

import { AppShell } from "./app-shell";
import { OpenTeamButton } from "./open-team-button";
import { SignOutButton } from "./sign-out-button";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  if (!(await getSession())) redirect("/signin");
  const caller = await getCaller();
  const loaded = await Promise.all([caller.team.me(), caller.team.list()]).catch((error: unknown) => {
    // A valid session without a team (or whose team was removed since): explain instead of crashing.
    if (error instanceof TRPCError && error.code === "FORBIDDEN") return error.message;
    throw error;
  });
  if (typeof loaded === "string") {
    const teams = await caller.team.list();
    return (
      <main className="flex min-h-dvh flex-col items-center justify-center gap-4 px-4 text-center">
        <h1 className="text-xl font-semibold">No team to show</h1>
        <p className="max-w-md text-sm text-muted-foreground">{loaded}</p>
        <div className="flex flex-wrap justify-center gap-2">
          {teams.map((team) => (
            <OpenTeamButton key={team.id} team={team} />
          ))}
          <SignOutButton />
        </div>
      </main>
    );
  }
  const [me, teams] = loaded;
  return (
    <MeProvider me={me}>
      <AppShell teams={teams}>{children}</AppShell>
    </MeProvider>
  );
}
