"use client";

import { useQuery } from "@tanstack/react-query";
import { KeySquareIcon } from "lucide-react";

import { type ColumnDef, DataTable } from "~/components/data-table";
import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { PageHeader } from "~/components/page-header";
import { RelativeTime } from "~/components/relative-time";
import { Badge } from "~/components/ui/badge";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { CreateTokenDialog } from "./create-token-dialog";
import { RevokeTokenDialog } from "./revoke-token-dialog";

export type TokenRow = RouterOutputs["apiToken"]["list"][number];

function tokenState(token: TokenRow): { label: string; variant: "secondary" | "destructive" | "outline" } {
  if (token.revokedAt) return { label: "Revoked", variant: "destructive" };
  if (token.expiresAt && token.expiresAt.getTime() <= Date.now()) return { label: "Expired", variant: "outline" };
  return { label: "Active", variant: "secondary" };
}

const columns: ColumnDef<TokenRow>[] = [
  {
    id: "name",
    accessorKey: "name",
    header: "Name",
    cell: ({ row }) => (
      <div className="grid">
        <span className="font-medium whitespace-nowrap">{row.original.name}</span>
        <span className="font-mono text-xs text-muted-foreground">{row.original.prefix}…</span>
      </div>
    ),
  },
  {
    id: "scope",
    accessorKey: "scope",
    header: "Scope",
    cell: ({ row }) => (
      <span>
        {row.original.scope.toLowerCase()}
        {row.original.environmentIds.length > 0 ? ` (${row.original.environmentIds.length} environment${row.original.environmentIds.length === 1 ? "" : "s"})` : ""}
      </span>
    ),
  },
  { id: "state", accessorFn: (token) => tokenState(token).label, header: "State", cell: ({ row }) => <Badge variant={tokenState(row.original).variant}>{tokenState(row.original).label}</Badge> },
  {
    id: "lastUsed",
    accessorFn: (token) => token.lastUsedAt?.getTime() ?? 0,
    header: "Last used",
    enableGlobalFilter: false,
    cell: ({ row }) =>
      row.original.lastUsedAt ? (
        <span className="whitespace-nowrap">
          <RelativeTime value={row.original.lastUsedAt} /> <span className="text-muted-foreground">from {row.original.lastUsedIp ?? "unknown"}</span>
        </span>
      ) : (
        <span className="text-muted-foreground">Never</span>
      ),
  },
  {
    id: "expires",
    accessorFn: (token) => token.expiresAt?.getTime() ?? Number.MAX_SAFE_INTEGER,
    header: "Expires",
    enableGlobalFilter: false,
    cell: ({ row }) => (row.original.expiresAt ? <RelativeTime value={row.original.expiresAt} /> : <span className="text-muted-foreground">Never</span>),
  },
  { id: "createdBy", accessorFn: (token) => token.createdBy.email, header: "Created by" },
  {
    id: "actions",
    header: () => <span className="sr-only">Actions</span>,
    cell: ({ row }) => <div className="flex justify-end">{row.original.revokedAt ? null : <RevokeTokenDialog token={row.original} />}</div>,
  },
];

export function TokensView() {
  const trpc = useTRPC();
  const tokens = useQuery(trpc.apiToken.list.queryOptions());
  return (
    <div className="grid gap-6">
      <PageHeader
        title="API tokens"
        description="Tokens let pipelines, bots and the wharf command use the REST API (see /api/docs). A token never has more rights than the member who created it."
        actions={<CreateTokenDialog />}
      />
      <DataTable
        label="API tokens"
        columns={columns}
        data={tokens.data}
        isLoading={tokens.isPending}
        getRowId={(token) => token.id}
        initialSorting={[{ id: "lastUsed", desc: true }]}
        error={tokens.error ? <ErrorAlert error={tokens.error} title="The tokens could not be loaded" /> : null}
        empty={<EmptyState icon={KeySquareIcon} title="No API tokens yet" description="Create one for a CI pipeline or for the wharf command on your machine." />}
      />
    </div>
  );
}
