"use client";

import { LogOutIcon } from "lucide-react";
import { signOut } from "next-auth/react";

import { Button } from "~/components/ui/button";

export function SignOutButton() {
  return (
    <Button variant="outline" onClick={() => void signOut({ callbackUrl: "/signin" })}>
      <LogOutIcon aria-hidden />
      Sign out
    </Button>
  );
}
