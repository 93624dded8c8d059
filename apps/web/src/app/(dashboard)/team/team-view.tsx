"use client";

import { useQuery } from "@tanstack/react-query";
import { MailIcon, UsersIcon, XIcon } from "lucide-react";
import { useMemo } from "react";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { type ColumnDef, DataTable } from "~/components/data-table";
import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { useCan, useMe } from "~/components/me-context";
import { PageHeader } from "~/components/page-header";
import { RelativeTime } from "~/components/relative-time";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { useToastMutation } from "~/components/use-toast-mutation";
import { errorMessage } from "~/lib/errors";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { EnvironmentsCard } from "./environments-card";
import { roleLabel } from "./grant-fields";
import { InviteDialog } from "./invite-dialog";
import {
  ChangeRoleDialog,
  LeaveTeamDialog,
  type MemberRow,
  RemoveMemberDialog,
  TransferOwnershipDialog,
} from "./member-actions";

type Invitation = RouterOutputs["invitation"]["pending"][number];
type Environments = RouterOutputs["environment"]["list"];

function Scope({
  environments,
}: {
  environments: { id: string; name: string }[] | null;
}) {
  if (environments === null)
    return <span className="text-muted-foreground">Whole team</span>;
  if (environments.length === 0)
    return (
      <span className="text-muted-foreground">No environment (viewer)</span>
    );
  return (
    <span className="flex flex-wrap gap-1">
      {environments.map((environment) => (
        <Badge
          key={environment.id}
          variant="outline"
          className="font-mono font-normal"
        >
          {environment.name}
        </Badge>
      ))}
    </span>
  );
}

function memberColumns(options: {
  meId: string;
  canManage: boolean;
  isOwner: boolean;
  environments: Environments;
}): ColumnDef<MemberRow>[] {
  return [
    {
      id: "name",
      accessorFn: (member) => `${member.name} ${member.email}`,
      header: "Member",
      cell: ({ row }) => (
        <span className="grid leading-tight">
          <span className="font-medium">
            {row.original.name}
            {row.original.id === options.meId ? (
              <span className="text-muted-foreground"> (you)</span>
            ) : null}
          </span>
          <span className="text-xs text-muted-foreground">
            {row.original.email}
          </span>
        </span>
      ),
    },
    {
      id: "role",
      accessorKey: "role",
      header: "Role",
      cell: ({ row }) => (
        <Badge
          variant={row.original.role === "OWNER" ? "default" : "secondary"}
        >
          {roleLabel(row.original.role)}
        </Badge>
      ),
    },
    {
      id: "scope",
      header: "Applies to",
      enableSorting: false,
      cell: ({ row }) => <Scope environments={row.original.environments} />,
    },
    {
      id: "joined",
      accessorFn: (member) => member.joinedAt.getTime(),
      header: "Joined",
      enableGlobalFilter: false,
      cell: ({ row }) => <RelativeTime value={row.original.joinedAt} />,
    },
    ...(options.canManage
      ? [
          {
            id: "actions",
            header: () => <span className="sr-only">Actions</span>,
            cell: ({ row }) => {
              const member = row.original;
              // Only owners touch owners; nobody changes their own role here (leave, or transfer ownership, instead).
              const editable =
                member.id !== options.meId &&
                (options.isOwner || member.role !== "OWNER");
              return editable ? (
                <div className="flex justify-end gap-1">
                  <ChangeRoleDialog
                    member={member}
                    environments={options.environments}
                    canGrantOwner={options.isOwner}
                  />
                  {options.isOwner && member.role !== "OWNER" ? (
                    <TransferOwnershipDialog member={member} />
                  ) : null}
                  <RemoveMemberDialog member={member} />
                </div>
              ) : null;
            },
          } satisfies ColumnDef<MemberRow>,
        ]
      : []),
  ];
}

function RevokeInvitationDialog({ invitation }: { invitation: Invitation }) {
  const trpc = useTRPC();
  const revoke = useToastMutation(trpc.invitation.revoke.mutationOptions(), { invalidate: [trpc.invitation.pending.queryFilter()], success: "Invitation revoked" });
  return (
    <ConfirmDialog
      trigger={
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Revoke the ${roleLabel(invitation.role)} invitation`}
          title="Revoke"
          className="text-muted-foreground hover:text-destructive"
        >
          <XIcon aria-hidden />
        </Button>
      }
      title="Revoke this invitation?"
      description="Its link stops working at once."
      confirmLabel="Revoke"
      pending={revoke.isPending}
      error={revoke.error}
      onConfirm={async () => {
        await revoke.mutateAsync({ invitationId: invitation.id });
      }}
      onClosed={() => revoke.reset()}
    />
  );
}

function PendingInvitations({ environments }: { environments: Environments }) {
  const trpc = useTRPC();
  const pending = useQuery(trpc.invitation.pending.queryOptions());
  const names = new Map(environments.map((e) => [e.id, e.name]));
  const columns: ColumnDef<Invitation>[] = [
    {
      id: "role",
      accessorKey: "role",
      header: "Role",
      cell: ({ row }) => (
        <Badge variant="secondary">{roleLabel(row.original.role)}</Badge>
      ),
    },
    {
      id: "scope",
      header: "Applies to",
      enableSorting: false,
      cell: ({ row }) => (
        <Scope
          environments={
            row.original.environmentScoped
              ? row.original.environmentIds.map((id) => ({
                  id,
                  name: names.get(id) ?? "(removed)",
                }))
              : null
          }
        />
      ),
    },
    {
      id: "note",
      accessorKey: "note",
      header: "Note",
      cell: ({ row }) =>
        row.original.note || <span className="text-muted-foreground">—</span>,
    },
    { id: "by", accessorKey: "invitedByLabel", header: "Invited by" },
    {
      id: "expires",
      accessorFn: (invitation) => invitation.expiresAt.getTime(),
      header: "Expires",
      enableGlobalFilter: false,
      cell: ({ row }) => <RelativeTime value={row.original.expiresAt} />,
    },
    {
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      cell: ({ row }) => (
        <div className="flex justify-end">
          <RevokeInvitationDialog invitation={row.original} />
        </div>
      ),
    },
  ];
  return (
    <section className="grid gap-3" aria-labelledby="pending-invitations">
      <h2 id="pending-invitations" className="text-lg font-semibold">
        Pending invitations
      </h2>
      <DataTable
        label="Pending invitations"
        columns={columns}
        data={pending.data}
        isLoading={pending.isPending}
        getRowId={(invitation) => invitation.id}
        initialSorting={[{ id: "expires", desc: false }]}
        error={
          pending.error ? (
            <p className="text-sm text-destructive">
              {errorMessage(pending.error)}
            </p>
          ) : null
        }
        empty={
          <EmptyState
            icon={MailIcon}
            title="No pending invitations"
            description="Links not yet used, revoked or expired show here."
          />
        }
      />
    </section>
  );
}

export function TeamView() {
  const trpc = useTRPC();
  const { user, team } = useMe();
  const canManage = useCan("member:manage");
  const canManageEnvironments = useCan("environment:manage");
  const members = useQuery(trpc.team.members.queryOptions());
  const environments = useQuery(trpc.environment.list.queryOptions());
  const environmentList = useMemo(
    () => environments.data ?? [],
    [environments.data],
  );
  const columns = useMemo(
    () =>
      memberColumns({
        meId: user.id,
        canManage,
        isOwner: team.role === "OWNER",
        environments: environmentList,
      }),
    [user.id, canManage, team.role, environmentList],
  );

  return (
    <div className="grid gap-8">
      <PageHeader
        title="Members"
        description={`Who can use ${team.name}, with which role, and where.`}
        actions={
          <>
            <LeaveTeamDialog teamName={team.name} />
            {canManage ? <InviteDialog /> : null}
          </>
        }
      />
      <DataTable
        label="Members"
        columns={columns}
        data={members.data}
        isLoading={members.isPending}
        getRowId={(member) => member.id}
        initialSorting={[{ id: "joined", desc: false }]}
        error={members.error ? <ErrorAlert error={members.error} title="The members could not be loaded" /> : null}
        empty={
          <EmptyState
            icon={UsersIcon}
            title="No members"
            description="Invite someone to share this team."
          />
        }
      />
      {canManage ? <PendingInvitations environments={environmentList} /> : null}
      <EnvironmentsCard canManage={canManageEnvironments} />
    </div>
  );
}
