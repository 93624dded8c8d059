"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { PlusIcon, Trash2Icon } from "lucide-react";
import { useState } from "react";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { ErrorAlert } from "~/components/error-alert";
import { Spinner } from "~/components/spinner";
import { Button } from "~/components/ui/button";
import {
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
} from "~/components/ui/card";
import { Input } from "~/components/ui/input";
import { useToastMutation } from "~/components/use-toast-mutation";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

type Environment = RouterOutputs["environment"]["list"][number];

function RemoveEnvironmentDialog({
  environment,
}: {
  environment: Environment;
}) {
  const trpc = useTRPC();
  const remove = useToastMutation(trpc.environment.remove.mutationOptions(), { invalidate: [trpc.environment.list.queryFilter()] });
  return (
    <ConfirmDialog
      trigger={
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Remove environment ${environment.name}`}
          title="Remove environment"
          className="text-muted-foreground hover:text-destructive"
        >
          <Trash2Icon aria-hidden />
        </Button>
      }
      title={`Remove the environment ${environment.name}?`}
      description={
        environment.hostCount > 0
          ? `It still holds ${environment.hostCount} host(s): move them to another environment on their pages first.`
          : "Members limited to it lose their role there (they keep viewer rights)."
      }
      confirmLabel="Remove environment"
      canConfirm={environment.hostCount === 0}
      pending={remove.isPending}
      error={remove.error}
      onConfirm={async () => {
        await remove.mutateAsync({ environmentId: environment.id });
      }}
      onClosed={() => remove.reset()}
    />
  );
}

export function EnvironmentsCard({ canManage }: { canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const environments = useQuery(trpc.environment.list.queryOptions());
  const create = useMutation(trpc.environment.create.mutationOptions());
  const [name, setName] = useState("");

  return (
    <Card>
      <CardHeader>
        <CardTitle>Environments</CardTitle>
        <CardDescription>
          Every host is in one environment; a role can be limited to some of
          them.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <ul className="divide-y rounded-md border">
          {(environments.data ?? []).map((environment) => (
            <li
              key={environment.id}
              className="flex items-center gap-3 px-3 py-2 text-sm"
            >
              <span className="font-mono font-medium">{environment.name}</span>
              <span className="text-muted-foreground">
                {environment.hostCount} host
                {environment.hostCount === 1 ? "" : "s"}
              </span>
              {canManage ? (
                <span className="ml-auto">
                  <RemoveEnvironmentDialog environment={environment} />
                </span>
              ) : null}
            </li>
          ))}
        </ul>
        {canManage ? (
          <form
            className="grid gap-2"
            onSubmit={(event) => {
              event.preventDefault();
              void create
                .mutateAsync({ name })
                .then(async () => {
                  setName("");
                  await queryClient.invalidateQueries(
                    trpc.environment.list.queryFilter(),
                  );
                })
                .catch(() => undefined);
            }}
          >
            <div className="flex gap-2">
              <Input
                aria-label="New environment name"
                placeholder="e.g. staging"
                value={name}
                onChange={(event) => setName(event.target.value)}
                className="max-w-60"
              />
              <Button
                type="submit"
                variant="outline"
                disabled={create.isPending || name.trim() === ""}
              >
                {create.isPending ? <Spinner /> : <PlusIcon aria-hidden />}
                Add environment
              </Button>
            </div>
            <ErrorAlert error={create.error} />
          </form>
        ) : null}
      </CardContent>
    </Card>
  );
}
