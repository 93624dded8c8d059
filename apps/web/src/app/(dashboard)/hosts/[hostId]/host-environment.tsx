"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";

import { useCan } from "~/components/me-context";
import { Spinner } from "~/components/spinner";
import { NativeSelect } from "~/components/ui/native-select";
import { errorMessage } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

/** The host's environment; members who may change hosts move it to another one here. */
export function HostEnvironment({ hostId, environment }: { hostId: string; environment: { id: string; name: string } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canMove = useCan("host:write");
  const environments = useQuery(trpc.environment.list.queryOptions(undefined, { enabled: canMove }));
  const move = useMutation(trpc.host.setEnvironment.mutationOptions());
  if (!canMove) return <span className="font-mono text-xs">{environment.name}</span>;
  return (
    <span className="flex items-center gap-2">
      <NativeSelect
        aria-label="Environment"
        className="h-8 min-w-36 font-mono text-xs"
        value={environment.id}
        disabled={move.isPending}
        onChange={(event) => {
          void move
            .mutateAsync({ hostId, environmentId: event.target.value })
            .then(async (moved) => {
              await queryClient.invalidateQueries(trpc.host.byId.queryFilter({ hostId }));
              toast.success(`Moved to ${moved.environment.name}`);
            })
            .catch((error: unknown) => toast.error(errorMessage(error)));
        }}
      >
        {(environments.data ?? [environment]).map((option) => (
          <option key={option.id} value={option.id}>
            {option.name}
          </option>
        ))}
      </NativeSelect>
      {move.isPending ? <Spinner /> : null}
    </span>
  );
}
