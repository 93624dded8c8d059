"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { PackageIcon, PlugZapIcon, Trash2Icon } from "lucide-react";
import { useMemo } from "react";
import { toast } from "sonner";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { type ColumnDef, DataTable } from "~/components/data-table";
import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { useCan } from "~/components/me-context";
import { PageHeader } from "~/components/page-header";
import { RelativeTime } from "~/components/relative-time";
import { Spinner } from "~/components/spinner";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { useToastMutation } from "~/components/use-toast-mutation";
import { errorMessage } from "~/lib/errors";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { RegistryDialog } from "./registry-dialog";

export type RegistryRow = RouterOutputs["registry"]["list"][number];

export const KIND_LABEL: Record<RegistryRow["kind"], string> = { DOCKER_HUB: "Docker Hub", ECR: "Amazon ECR", V2: "Registry (v2)" };

function identity(registry: RegistryRow): string {
  if (registry.kind === "ECR") return registry.roleArn ?? registry.accessKeyId ?? "";
  return registry.username ?? "anonymous";
}

function TestButton({ registry }: { registry: RegistryRow }) {
  const trpc = useTRPC();
  const test = useMutation(trpc.registry.test.mutationOptions());
  const onTest = async (): Promise<void> => {
    try {
      const result = await test.mutateAsync({ registryId: registry.id });
      toast.success(`${registry.name}: ${result.detail}`);
    } catch (error) {
      toast.error(errorMessage(error));
    }
  };
  return (
    <Button variant="ghost" size="sm" onClick={() => void onTest()} disabled={test.isPending} aria-label={`Test the connection to ${registry.name}`}>
      {test.isPending ? <Spinner /> : <PlugZapIcon aria-hidden />}
      Test
    </Button>
  );
}

function RemoveRegistryDialog({ registry }: { registry: RegistryRow }) {
  const trpc = useTRPC();
  const remove = useToastMutation(trpc.registry.remove.mutationOptions(), { invalidate: [trpc.registry.list.queryFilter()], success: `Removed ${registry.name}` });
  const onRemove = async (): Promise<void> => {
    await remove.mutateAsync({ registryId: registry.id });
  };
  return (
    <ConfirmDialog
      trigger={
        <Button variant="ghost" size="icon-sm" aria-label={`Remove registry ${registry.name}`} title="Remove registry" className="text-muted-foreground hover:text-destructive">
          <Trash2Icon aria-hidden />
        </Button>
      }
      title={`Remove ${registry.name}?`}
      description="Wharf deletes its credentials. Deploys of stacks whose images live there pull without logging in from then on; nothing changes in the registry itself."
      confirmLabel="Remove registry"
      pending={remove.isPending}
      error={remove.error}
      onConfirm={onRemove}
      onClosed={() => remove.reset()}
    />
  );
}

function columns(canManage: boolean): ColumnDef<RegistryRow>[] {
  return [
    { id: "name", accessorKey: "name", header: "Name", cell: ({ row }) => <span className="font-medium whitespace-nowrap">{row.original.name}</span> },
    { id: "kind", accessorFn: (registry) => KIND_LABEL[registry.kind], header: "Kind", cell: ({ getValue }) => <Badge variant="secondary">{String(getValue())}</Badge> },
    { id: "address", accessorKey: "address", header: "Address", cell: ({ row }) => <span className="font-mono text-xs break-all">{row.original.address}</span> },
    { id: "identity", accessorFn: identity, header: "Signs in as", cell: ({ getValue }) => <span className="font-mono text-xs break-all">{String(getValue())}</span> },
    {
      id: "updated",
      accessorFn: (registry) => registry.updatedAt.getTime(),
      header: "Changed",
      enableGlobalFilter: false,
      cell: ({ row }) => <RelativeTime value={row.original.updatedAt} />,
    },
    ...(canManage
      ? [
          {
            id: "actions",
            header: () => <span className="sr-only">Actions</span>,
            cell: ({ row }) => (
              <div className="flex justify-end gap-1">
                <TestButton registry={row.original} />
                <RegistryDialog registry={row.original} />
                <RemoveRegistryDialog registry={row.original} />
              </div>
            ),
          } satisfies ColumnDef<RegistryRow>,
        ]
      : []),
  ];
}

export function RegistriesView() {
  const trpc = useTRPC();
  const canManage = useCan("registry:manage");
  const registries = useQuery(trpc.registry.list.queryOptions());
  const tableColumns = useMemo(() => columns(canManage), [canManage]);

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Registries"
        description="Where the team's images are pulled from and pushed to. Passwords, access tokens and secret keys are stored encrypted and never shown again; hosts get them for one pull or push only."
        actions={canManage ? <RegistryDialog /> : null}
      />
      <DataTable
        label="Registries"
        columns={tableColumns}
        data={registries.data}
        isLoading={registries.isPending}
        getRowId={(registry) => registry.id}
        initialSorting={[{ id: "name", desc: false }]}
        error={registries.error ? <ErrorAlert error={registries.error} title="The registries could not be loaded" /> : null}
        empty={
          <EmptyState
            icon={PackageIcon}
            title="No registries yet"
            description="Add Docker Hub, Amazon ECR or any registry speaking the v2 API: stacks whose images live there then deploy without anyone pasting a token."
          />
        }
      />
    </div>
  );
}
