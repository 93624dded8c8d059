import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import Link from "next/link";

import { Button } from "~/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "~/components/ui/card";
import { getSession } from "~/server/auth";
import { getCaller } from "~/trpc/server";

import { AcceptInvitation, SignUpWithInvitation } from "./invite-forms";

export const metadata: Metadata = { title: "Invitation" };

const roleLabel = (role: string): string => role.toLowerCase();

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const caller = await getCaller();
  const invitation = await caller.invitation.preview({ token }).catch((error: unknown) => {
    if (error instanceof TRPCError) return error.message;
    throw error;
  });
  if (typeof invitation === "string") {
    return (
      <Card>
        <CardHeader>
          <CardTitle as="h1" className="text-lg">
            This invitation cannot be used
          </CardTitle>
          <CardDescription>{invitation}</CardDescription>
        </CardHeader>
        <CardContent>
          <Button asChild variant="outline" className="w-full">
            <Link href="/signin">Go to sign in</Link>
          </Button>
        </CardContent>
      </Card>
    );
  }
  const session = await getSession();
  const offer = `${roleLabel(invitation.role)}${invitation.environmentScoped ? " in some environments" : ""}`;
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h1" className="text-lg">
          Join {invitation.teamName}
        </CardTitle>
        <CardDescription>
          You are invited as {offer}. The link works once, until {invitation.expiresAt.toUTCString()}.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {session ? (
          <AcceptInvitation token={token} email={session.user.email ?? ""} />
        ) : (
          <SignUpWithInvitation token={token} signInHref={`/signin?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`} />
        )}
      </CardContent>
    </Card>
  );
}
