import { TerminalIcon } from "lucide-react";
import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "~/components/ui/card";
import { env } from "~/env";
import { firstParam, safeCallbackPath, type SearchParams } from "~/lib/search-params";
import { getSession } from "~/server/auth";
import { getCaller } from "~/trpc/server";

import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  // A setup link pasted into the sign-in address still reaches the setup form.
  const token = firstParam(params.token);
  if (token) redirect(`/setup?token=${encodeURIComponent(token)}`);
  const callbackPath = safeCallbackPath(firstParam(params.callbackUrl));
  if (await getSession()) redirect(callbackPath);

  const { needsSetup } = await (await getCaller()).setup.status();
  if (needsSetup) {
    return (
      <Card>
        <CardHeader>
          <CardTitle as="h1" className="text-lg">
            Welcome to Wharf
          </CardTitle>
          <CardDescription>Wharf is not set up yet: open the setup link printed in the server log.</CardDescription>
        </CardHeader>
        <CardContent>
          <div className="flex items-start gap-3 rounded-lg border bg-muted/50 p-3 text-sm text-muted-foreground">
            <TerminalIcon aria-hidden className="mt-0.5 size-4 shrink-0" />
            <p>
              Look for <span className="font-medium text-foreground">“open this one-time link to create the owner”</span> in the server&apos;s output.
              Restarting Wharf prints a fresh link.
            </p>
          </div>
        </CardContent>
      </Card>
    );
  }
  return <SignInForm callbackPath={callbackPath} initialError={firstParam(params.error)} oidcName={env.oidc?.name ?? null} />;
}
