"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRoundIcon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { CopyButton } from "~/components/copy-button";
import { RelativeTime } from "~/components/relative-time";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "~/components/ui/card";
import { errorMessage } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

/** The stack's deploy hook for pipelines: create or rotate (the secret shows once), revoke. */
export function DeployHookCard({ stackId, stackName }: { stackId: string; stackName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hook = useQuery(trpc.deployHook.get.queryOptions({ stackId }));
  const rotate = useMutation(trpc.deployHook.rotate.mutationOptions());
  const revoke = useMutation(trpc.deployHook.revoke.mutationOptions());
  const [secret, setSecret] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries(trpc.deployHook.get.queryFilter({ stackId }));

  const onRotate = async (): Promise<void> => {
    const created = await rotate.mutateAsync({ stackId });
    setSecret(created.secret);
    await refresh();
  };

  return (
    <Card className="mt-6">
      <CardHeader>
        <CardTitle>Deploy hook</CardTitle>
        <CardDescription>
          A URL and secret a CI job calls to deploy the latest revision of {stackName}, optionally setting IMAGE_TAG first. It can do nothing else, acts as the member who created
          it (within that member's rights) and answers at most once every 10 s.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {hook.error ? <p className="text-sm text-destructive">{errorMessage(hook.error)}</p> : null}
        {hook.data ? (
          <>
            <div className="flex flex-wrap items-center gap-2">
              <code className="flex-1 font-mono text-xs break-all">{hook.data.url}</code>
              <CopyButton value={hook.data.url} label="Copy the hook URL" className="size-7" />
            </div>
            <p className="text-sm text-muted-foreground">
              Created by {hook.data.createdByLabel} <RelativeTime value={hook.data.createdAt} />;{" "}
              {hook.data.lastUsedAt ? (
                <>
                  last called <RelativeTime value={hook.data.lastUsedAt} /> from {hook.data.lastUsedAddress ?? "an unknown address"}
                </>
              ) : (
                "never called"
              )}
              .
            </p>
          </>
        ) : null}
        {secret ? (
          <Alert>
            <KeyRoundIcon aria-hidden />
            <AlertTitle>Copy the secret now: it is shown only this once</AlertTitle>
            <AlertDescription className="grid gap-2">
              <div className="flex items-center gap-2">
                <code className="flex-1 font-mono text-xs break-all">{secret}</code>
                <CopyButton value={secret} label="Copy the hook secret" className="size-7" />
              </div>
              <code className="font-mono text-xs break-all">{`curl -fsS -X POST -H "Authorization: Bearer $WHARF_HOOK_SECRET" -d '{"tag":"1.4.2"}' ${hook.data?.url ?? ""}`}</code>
            </AlertDescription>
          </Alert>
        ) : null}
        <div className="flex flex-wrap gap-2">
          {hook.data ? (
            <>
              <ConfirmDialog
                trigger={<Button variant="outline">Rotate secret</Button>}
                title="Give the hook a new secret?"
                description="The current secret stops working at once: update it in your pipeline."
                confirmLabel="Rotate secret"
                confirmVariant="default"
                pending={rotate.isPending}
                error={rotate.error}
                onConfirm={onRotate}
                onClosed={() => rotate.reset()}
              />
              <ConfirmDialog
                trigger={<Button variant="outline">Revoke</Button>}
                title="Revoke the deploy hook?"
                description="Calls to its URL are refused from now on."
                confirmLabel="Revoke hook"
                pending={revoke.isPending}
                error={revoke.error}
                onConfirm={async () => {
                  await revoke.mutateAsync({ stackId });
                  setSecret(null);
                  await refresh();
                  toast.success("Deploy hook revoked");
                }}
                onClosed={() => revoke.reset()}
              />
            </>
          ) : (
            <Button disabled={rotate.isPending || hook.isPending} onClick={() => void onRotate().catch((error: unknown) => toast.error(errorMessage(error)))}>
              Create deploy hook
            </Button>
          )}
        </div>
      </CardContent>
    </Card>
  );
}
