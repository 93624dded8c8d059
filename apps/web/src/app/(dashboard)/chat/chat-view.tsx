"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { UnlinkIcon } from "lucide-react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { CopyButton } from "~/components/copy-button";
import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { PageHeader } from "~/components/page-header";
import { RelativeTime } from "~/components/relative-time";
import { Spinner } from "~/components/spinner";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "~/components/ui/card";
import { Input } from "~/components/ui/input";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "~/components/ui/table";
import { applyFieldErrors } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

export function ChatView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const chat = useQuery(trpc.chat.get.queryOptions());
  const setSecret = useMutation(trpc.chat.setSigningSecret.mutationOptions());
  const unlink = useMutation(trpc.chat.unlink.mutationOptions());
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<{ signingSecret: string }>({ defaultValues: { signingSecret: "" } });
  const refresh = () => queryClient.invalidateQueries(trpc.chat.get.queryFilter());

  const onSubmit = async (values: { signingSecret: string }): Promise<void> => {
    try {
      await setSecret.mutateAsync(values);
      reset();
      await refresh();
      toast.success("Signing secret saved");
    } catch (error) {
      applyFieldErrors(error, setError, ["signingSecret"]);
    }
  };

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Chat app"
        description="Slash commands and buttons from a Slack app (or one speaking Slack's format): status, deploy, rollback, logs, approve and reject, each run as the Wharf user the chat user linked."
      />
      <ErrorAlert error={chat.error} title="The chat app could not be loaded" />
      <Card>
        <CardHeader>
          <CardTitle>Signing secret</CardTitle>
          <CardDescription>
            {chat.data ? `Set; last changed ${chat.data.updatedAt.toLocaleString()}. Paste a new one to replace it.` : "Paste the app's signing secret: Wharf refuses every request not signed with it."} It is stored encrypted and never shown again.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <form onSubmit={(event) => void handleSubmit(onSubmit)(event)} className="flex flex-wrap items-end gap-3" noValidate>
            <Field label="Signing secret" className="min-w-72 flex-1" error={errors.signingSecret?.message}>
              {(control) => <Input {...control} type="password" autoComplete="off" {...register("signingSecret", { required: "Paste the signing secret." })} />}
            </Field>
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting ? <Spinner /> : null}
              Save
            </Button>
          </form>
        </CardContent>
      </Card>
      {chat.data ? (
        <>
          <Card>
            <CardHeader>
              <CardTitle>Request URLs</CardTitle>
              <CardDescription>Enter these in the app's settings: the slash command's Request URL, and Interactivity's Request URL.</CardDescription>
            </CardHeader>
            <CardContent className="grid gap-3">
              {[
                ["Slash command", chat.data.commandUrl],
                ["Interactivity", chat.data.interactionUrl],
              ].map(([label, url]) => (
                <div key={label} className="flex flex-wrap items-center gap-2">
                  <span className="w-32 text-sm font-medium">{label}</span>
                  <code className="flex-1 font-mono text-xs break-all">{url}</code>
                  <CopyButton value={url ?? ""} label={`Copy the ${label} URL`} className="size-7" />
                </div>
              ))}
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Linked chat users</CardTitle>
              <CardDescription>A chat user links once, through a one-time link the bot sends, opened while signed in to Wharf. Commands then run with that member's rights.</CardDescription>
            </CardHeader>
            <CardContent>
              {chat.data.links.length === 0 ? (
                <p className="text-sm text-muted-foreground">Nobody has linked yet.</p>
              ) : (
                <Table aria-label="Linked chat users">
                  <TableHeader>
                    <TableRow>
                      <TableHead>Chat user</TableHead>
                      <TableHead>Wharf user</TableHead>
                      <TableHead>Linked</TableHead>
                      <TableHead>
                        <span className="sr-only">Actions</span>
                      </TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {chat.data.links.map((link) => (
                      <TableRow key={link.chatUserId}>
                        <TableCell>
                          {link.chatUserName} <span className="font-mono text-xs text-muted-foreground">{link.chatUserId}</span>
                        </TableCell>
                        <TableCell>{link.user.email}</TableCell>
                        <TableCell>
                          <RelativeTime value={link.createdAt} />
                        </TableCell>
                        <TableCell className="text-right">
                          <ConfirmDialog
                            trigger={
                              <Button variant="ghost" size="icon-sm" aria-label={`Unlink ${link.chatUserName}`} title="Unlink">
                                <UnlinkIcon aria-hidden />
                              </Button>
                            }
                            title={`Unlink ${link.chatUserName}?`}
                            description={`Their commands stop running as ${link.user.email}; the bot asks them to link again.`}
                            confirmLabel="Unlink"
                            pending={unlink.isPending}
                            error={unlink.error}
                            onConfirm={async () => {
                              await unlink.mutateAsync({ chatUserId: link.chatUserId });
                              await refresh();
                            }}
                            onClosed={() => unlink.reset()}
                          />
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </CardContent>
          </Card>
        </>
      ) : null}
    </div>
  );
}
