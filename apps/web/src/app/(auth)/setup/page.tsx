import { TerminalIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";

import { Button } from "~/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "~/components/ui/card";
import { firstParam, type SearchParams } from "~/lib/search-params";
import { getCaller } from "~/trpc/server";

import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "Set up Wharf" };

export default async function SetupPage({ searchParams }: { searchParams: SearchParams }) {
  const token = firstParam((await searchParams).token);
  const { needsSetup } = await (await getCaller()).setup.status();

  if (!needsSetup) {
    return (
      <Card>
        <CardHeader>
          <CardTitle as="h1" className="text-lg">
            Wharf is already set up
          </CardTitle>
          <CardDescription>The owner account exists. Sign in, or ask an owner to invite you.</CardDescription>
        </CardHeader>
        <CardContent>
          <Button asChild className="w-full">
            <Link href="/signin">Go to sign in</Link>
          </Button>
        </CardContent>
      </Card>
    );
  }
  if (!token) {
    return (
      <Card>
        <CardHeader>
          <CardTitle as="h1" className="text-lg">
            This page needs the setup link
          </CardTitle>
          <CardDescription>Open the one-time link printed in the server log; it carries the token that proves you started Wharf.</CardDescription>
        </CardHeader>
        <CardContent>
          <div className="flex items-start gap-3 rounded-lg border bg-muted/50 p-3 text-sm text-muted-foreground">
            <TerminalIcon aria-hidden className="mt-0.5 size-4 shrink-0" />
            <p>Restarting Wharf prints a fresh link.</p>
          </div>
        </CardContent>
      </Card>
    );
  }
  return <SetupForm token={token} />;
}
