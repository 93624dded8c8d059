"use client";

import { useMutation } from "@tanstack/react-query";
import { CheckCircle2Icon } from "lucide-react";

import { ErrorAlert } from "~/components/error-alert";
import { useMe } from "~/components/me-context";
import { PageHeader } from "~/components/page-header";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { useTRPC } from "~/trpc/react";

/** Asks before linking: a link opened by mistake (or sent by someone else) must not link silently. */
export function LinkChatAccount({ token }: { token: string }) {
  const trpc = useTRPC();
  const me = useMe();
  const link = useMutation(trpc.chat.link.mutationOptions());
  return (
    <div className="grid max-w-xl gap-6">
      <PageHeader title="Link your chat account" description={`Chat commands from this chat account will run as ${me.user.email}, with your rights in the team.`} />
      {link.data ? (
        <Alert>
          <CheckCircle2Icon aria-hidden />
          <AlertTitle>Linked</AlertTitle>
          <AlertDescription>{link.data.chatUserName} now acts as you. Run the command again in chat.</AlertDescription>
        </Alert>
      ) : (
        <>
          <ErrorAlert error={link.error} />
          <Button className="w-fit" disabled={!token || link.isPending} onClick={() => link.mutate({ token })}>
            {link.isPending ? <Spinner /> : null}
            Link to {me.user.email}
          </Button>
        </>
      )}
    </div>
  );
}
