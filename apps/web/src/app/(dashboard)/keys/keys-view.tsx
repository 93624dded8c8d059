"use client";

import { useQuery } from "@tanstack/react-query";
import { KeyRoundIcon } from "lucide-react";
import { useMemo } from "react";

import { CopyButton } from "~/components/copy-button";
import { type ColumnDef, DataTable } from "~/components/data-table";
import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { useCan } from "~/components/me-context";
import { PageHeader } from "~/components/page-header";
import { RelativeTime } from "~/components/relative-time";
import { Badge } from "~/components/ui/badge";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { GenerateKeyDialog } from "./generate-key-dialog";
import { ImportKeyDialog } from "./import-key-dialog";
import { RemoveKeyDialog } from "./remove-key-dialog";
import { RenameKeyDialog } from "./rename-key-dialog";

export type KeyRow = RouterOutputs["credential"]["list"][number];

function columns(canWrite: boolean): ColumnDef<KeyRow>[] {
  return [
    { id: "name", accessorKey: "name", header: "Name", cell: ({ row }) => <span className="font-medium whitespace-nowrap">{row.original.name}</span> },
    {
      id: "kind",
      accessorKey: "kind",
      header: "Kind",
      cell: ({ row }) => <Badge variant="secondary">{row.original.kind === "GENERATED" ? "Generated" : "Imported"}</Badge>,
    },
    {
      id: "fingerprint",
      accessorKey: "fingerprint",
      header: "Fingerprint",
      // Wrapped, not cut: a fingerprint is compared character by character.
      cell: ({ row }) => <span className="block max-w-60 font-mono text-xs break-all">{row.original.fingerprint}</span>,
    },
    {
      id: "publicKey",
      accessorKey: "publicKey",
      header: "Public key",
      enableSorting: false,
      cell: ({ row }) => (
        <div className="flex items-center gap-2">
          <span className="max-w-48 truncate font-mono text-xs text-muted-foreground" title={row.original.publicKey}>
            {row.original.publicKey}
          </span>
          <CopyButton value={row.original.publicKey} label={`Copy the public key of ${row.original.name}`} className="size-7" />
        </div>
      ),
    },
    {
      id: "hosts",
      accessorFn: (key) => key._count.hosts,
      header: "Used by",
      enableGlobalFilter: false,
      cell: ({ row }) => (
        <span className="tabular-nums">
          {row.original._count.hosts} host{row.original._count.hosts === 1 ? "" : "s"}
        </span>
      ),
    },
    {
      id: "created",
      accessorFn: (key) => key.createdAt.getTime(),
      header: "Added",
      enableGlobalFilter: false,
      cell: ({ row }) => <RelativeTime value={row.original.createdAt} />,
    },
    ...(canWrite
      ? [
          {
            id: "actions",
            header: () => <span className="sr-only">Actions</span>,
            cell: ({ row }) => (
              <div className="flex justify-end gap-1">
                <RenameKeyDialog credential={row.original} />
                <RemoveKeyDialog credential={row.original} />
              </div>
            ),
          } satisfies ColumnDef<KeyRow>,
        ]
      : []),
  ];
}

export function KeysView() {
  const trpc = useTRPC();
  const canWrite = useCan("credential:write");
  const keys = useQuery(trpc.credential.list.queryOptions());
  const tableColumns = useMemo(() => columns(canWrite), [canWrite]);

  return (
    <div className="grid gap-6">
      <PageHeader
        title="SSH keys"
        description="Keys Wharf signs in to hosts with. Private halves are stored encrypted and never leave the server."
        actions={
          canWrite ? (
            <>
              <ImportKeyDialog />
              <GenerateKeyDialog />
            </>
          ) : null
        }
      />
      <DataTable
        label="SSH keys"
        columns={tableColumns}
        data={keys.data}
        isLoading={keys.isPending}
        getRowId={(key) => key.id}
        initialSorting={[{ id: "created", desc: true }]}
        error={keys.error ? <ErrorAlert error={keys.error} title="The keys could not be loaded" /> : null}
        empty={
          <EmptyState
            icon={KeyRoundIcon}
            title="No SSH keys yet"
            description="Generate a key pair and add its public half to your hosts, or import a private key you already use."
          />
        }
      />
    </div>
  );
}
