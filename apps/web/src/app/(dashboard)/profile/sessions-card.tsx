"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { LaptopIcon } from "lucide-react";
import { toast } from "sonner";

import { RelativeTime } from "~/components/relative-time";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "~/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "~/components/ui/table";
import { errorMessage } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

/** "Firefox 133 on Linux" from a user agent, or the raw text when it is unusual. */
function describeDevice(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = /(Edg|Firefox|Chrome|Chromium|Safari)\/(\d+)/.exec(userAgent);
  const system = /(Windows|Mac OS X|Android|iPhone|iPad|Linux|CrOS)/.exec(userAgent);
  if (!browser) return userAgent.slice(0, 80);
  const name = browser[1] === "Edg" ? "Edge" : browser[1];
  return `${name} ${browser[2]}${system ? ` on ${system[1] === "Mac OS X" ? "macOS" : system[1]}` : ""}`;
}

export function SessionsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: sessions } = useSuspenseQuery(trpc.account.sessions.queryOptions());
  const refresh = () => queryClient.invalidateQueries(trpc.account.sessions.queryFilter());
  const revoke = useMutation(trpc.account.revokeSession.mutationOptions({ onSettled: refresh }));
  const revokeOthers = useMutation(
    trpc.account.revokeOtherSessions.mutationOptions({
      onSuccess: (count) => toast.success(`Signed out ${count} other session${count === 1 ? "" : "s"}`),
      onError: (error) => toast.error(errorMessage(error)),
      onSettled: refresh,
    }),
  );
  const others = sessions.filter((session) => !session.current).length;

  return (
    <Card>
      <CardHeader>
        <CardTitle as="h2">Sessions</CardTitle>
        <CardDescription>Browsers signed in to your account. Signing one out takes effect at its next click.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <Table aria-label="Sessions">
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead>Device</TableHead>
              <TableHead>Address</TableHead>
              <TableHead>Last used</TableHead>
              <TableHead className="w-28">
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {sessions.map((session) => (
              <TableRow key={session.id}>
                <TableCell>
                  <span className="flex items-center gap-2">
                    <LaptopIcon aria-hidden className="size-4 text-muted-foreground" />
                    <span title={session.userAgent ?? undefined}>{describeDevice(session.userAgent)}</span>
                    {session.method === "oidc" ? <Badge variant="secondary">SSO</Badge> : null}
                    {session.current ? <Badge variant="info">This browser</Badge> : null}
                  </span>
                </TableCell>
                <TableCell className="font-mono text-xs">{session.address ?? "unknown"}</TableCell>
                <TableCell>
                  <RelativeTime value={session.lastUsedAt} />
                </TableCell>
                <TableCell className="text-right">
                  {session.current ? null : (
                    <Button
                      size="sm"
                      variant="outline"
                      disabled={revoke.isPending}
                      aria-label={`Sign out ${describeDevice(session.userAgent)}`}
                      onClick={() =>
                        revoke.mutate(
                          { sessionId: session.id },
                          { onSuccess: () => toast.success("Session signed out"), onError: (error) => toast.error(errorMessage(error)) },
                        )
                      }
                    >
                      Sign out
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <div>
          <Button variant="outline" disabled={others === 0 || revokeOthers.isPending} onClick={() => revokeOthers.mutate()}>
            Sign out all other sessions
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}
