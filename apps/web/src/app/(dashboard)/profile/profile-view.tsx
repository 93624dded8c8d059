"use client";

import { useSuspenseQuery } from "@tanstack/react-query";

import { PageHeader } from "~/components/page-header";
import { useTRPC } from "~/trpc/react";

import { NameForm, PasswordForm } from "./account-forms";
import { SessionsCard } from "./sessions-card";
import { TwoFactorCard } from "./two-factor-card";

export function ProfileView() {
  const trpc = useTRPC();
  const { data: profile } = useSuspenseQuery(trpc.account.profile.queryOptions());
  return (
    <div className="grid max-w-3xl gap-6">
      <PageHeader title="Profile" description={`Signed in as ${profile.email}${profile.oidc ? " (linked to your identity provider)" : ""}.`} />
      <NameForm name={profile.name} email={profile.email} />
      {profile.hasPassword ? <PasswordForm /> : null}
      <TwoFactorCard enabled={profile.twoFactor} recoveryCodesLeft={profile.recoveryCodesLeft} hasPassword={profile.hasPassword} />
      <SessionsCard />
    </div>
  );
}
