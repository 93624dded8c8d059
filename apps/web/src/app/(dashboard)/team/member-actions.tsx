"use client";

import { useMutation } from "@tanstack/react-query";
import { CrownIcon, PencilIcon, UserMinusIcon } from "lucide-react";
import { useState } from "react";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { DialogFormFooter } from "~/components/dialog-form-footer";
import { ErrorAlert } from "~/components/error-alert";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "~/components/ui/dialog";
import { useToastMutation } from "~/components/use-toast-mutation";
import { activateTeam } from "~/lib/team";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { type Grant, GrantFields } from "./grant-fields";

export type MemberRow = RouterOutputs["team"]["members"][number];
type Environments = RouterOutputs["environment"]["list"];

export function ChangeRoleDialog({
  member,
  environments,
  canGrantOwner,
}: {
  member: MemberRow;
  environments: Environments;
  canGrantOwner: boolean;
}) {
  const trpc = useTRPC();
  const setRole = useToastMutation(trpc.team.setRole.mutationOptions(), { invalidate: [trpc.team.members.queryFilter()], success: `Changed the role of ${member.name}` });
  const initial: Grant = {
    role: member.role,
    environmentIds: member.environments?.map((e) => e.id) ?? null,
  };
  const [open, setOpen] = useState(false);
  const [grant, setGrant] = useState<Grant>(initial);

  const submit = async () => {
    await setRole.mutateAsync({ userId: member.id, ...grant });
    setOpen(false);
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) setGrant(initial);
        else setRole.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Change the role of ${member.name}`}
          title="Change role"
          className="text-muted-foreground"
        >
          <PencilIcon aria-hidden />
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Change the role of {member.name}</DialogTitle>
          <DialogDescription>{member.email}</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            void submit().catch(() => undefined);
          }}
        >
          <ErrorAlert error={setRole.error} />
          <GrantFields
            grant={grant}
            onChange={setGrant}
            environments={environments}
            canGrantOwner={canGrantOwner}
          />
          <DialogFormFooter
            submitting={setRole.isPending}
            disabled={grant.environmentIds !== null && grant.environmentIds.length === 0}
            label="Save role"
          />
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function RemoveMemberDialog({ member }: { member: MemberRow }) {
  const trpc = useTRPC();
  const remove = useToastMutation(trpc.team.removeMember.mutationOptions(), { invalidate: [trpc.team.members.queryFilter()], success: `Removed ${member.name}` });
  return (
    <ConfirmDialog
      trigger={
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Remove ${member.name} from the team`}
          title="Remove member"
          className="text-muted-foreground hover:text-destructive"
        >
          <UserMinusIcon aria-hidden />
        </Button>
      }
      title={`Remove ${member.name} from the team?`}
      description={`${member.email} loses access to this team at once. Their account and their other teams stay; the audit trail keeps what they did.`}
      confirmLabel="Remove member"
      pending={remove.isPending}
      error={remove.error}
      onConfirm={async () => {
        await remove.mutateAsync({ userId: member.id });
      }}
      onClosed={() => remove.reset()}
    />
  );
}

export function TransferOwnershipDialog({ member }: { member: MemberRow }) {
  const trpc = useTRPC();
  const transfer = useMutation(trpc.team.transferOwnership.mutationOptions());
  return (
    <ConfirmDialog
      trigger={
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Transfer ownership to ${member.name}`}
          title="Transfer ownership"
          className="text-muted-foreground"
        >
          <CrownIcon aria-hidden />
        </Button>
      }
      title={`Make ${member.name} the owner?`}
      description="They become an owner of the whole team; you become an admin and can no longer manage owners."
      confirmName={member.email}
      confirmLabel="Transfer ownership"
      pending={transfer.isPending}
      error={transfer.error}
      onConfirm={async () => {
        await transfer.mutateAsync({ userId: member.id });
        // The caller's own role changed: reload so every page sees it.
        window.location.reload();
      }}
      onClosed={() => transfer.reset()}
    />
  );
}

export function LeaveTeamDialog({ teamName }: { teamName: string }) {
  const trpc = useTRPC();
  const leave = useMutation(trpc.team.leave.mutationOptions());
  return (
    <ConfirmDialog
      trigger={<Button variant="outline">Leave team</Button>}
      title={`Leave ${teamName}?`}
      description="You lose access to this team at once; only a new invitation brings you back."
      confirmLabel="Leave team"
      pending={leave.isPending}
      error={leave.error}
      onConfirm={async () => {
        await leave.mutateAsync();
        activateTeam(null);
      }}
      onClosed={() => leave.reset()}
    />
  );
}
