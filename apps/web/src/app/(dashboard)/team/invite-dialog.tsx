"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { UserPlusIcon } from "lucide-react";
import { useState } from "react";

import { CopyButton } from "~/components/copy-button";
import { DialogFormFooter } from "~/components/dialog-form-footer";
import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { useMe } from "~/components/me-context";
import { Button } from "~/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { type Grant, GrantFields, roleLabel } from "./grant-fields";

const EXPIRY_OPTIONS = [
  { hours: 1, label: "1 hour" },
  { hours: 24, label: "1 day" },
  { hours: 72, label: "3 days" },
  { hours: 168, label: "7 days" },
  { hours: 720, label: "30 days" },
];

export function InviteDialog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { team } = useMe();
  const environments = useQuery(trpc.environment.list.queryOptions());
  const create = useMutation(trpc.invitation.create.mutationOptions());
  const [open, setOpen] = useState(false);
  const [grant, setGrant] = useState<Grant>({
    role: "DEPLOYER",
    environmentIds: null,
  });
  const [hours, setHours] = useState(72);
  const [note, setNote] = useState("");
  const [created, setCreated] = useState<
    RouterOutputs["invitation"]["create"] | null
  >(null);

  const changeOpen = (next: boolean) => {
    setOpen(next);
    if (!next) {
      setCreated(null);
      setGrant({ role: "DEPLOYER", environmentIds: null });
      setNote("");
      create.reset();
    }
  };

  const submit = async () => {
    setCreated(
      await create.mutateAsync({ ...grant, expiresInHours: hours, note }),
    );
    await queryClient.invalidateQueries(trpc.invitation.pending.queryFilter());
  };

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        <Button>
          <UserPlusIcon aria-hidden />
          Invite member
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>
            {created ? "Invitation link" : "Invite a member"}
          </DialogTitle>
          <DialogDescription>
            {created
              ? "Send this link to the person you invite. It is shown only now, works once, and expires."
              : "Wharf makes a single-use link granting the role you choose. Whoever opens it can join, with a new or an existing account."}
          </DialogDescription>
        </DialogHeader>
        {created ? (
          <div className="grid gap-3">
            <div className="flex items-center gap-2">
              <Input
                aria-label="Invitation link"
                readOnly
                value={created.url}
                className="font-mono text-xs"
                onFocus={(event) => event.currentTarget.select()}
              />
              <CopyButton value={created.url} label="Copy the invitation link">
                Copy
              </CopyButton>
            </div>
            <p className="text-sm text-muted-foreground">
              {roleLabel(created.role)} in {team.name}, valid until{" "}
              {created.expiresAt.toLocaleString()}.
            </p>
            <DialogFooter>
              <DialogClose asChild>
                <Button>Done</Button>
              </DialogClose>
            </DialogFooter>
          </div>
        ) : (
          <form
            className="grid gap-4"
            onSubmit={(event) => {
              event.preventDefault();
              void submit().catch(() => undefined);
            }}
          >
            <ErrorAlert error={create.error} />
            <GrantFields
              grant={grant}
              onChange={setGrant}
              environments={environments.data ?? []}
              canGrantOwner={team.role === "OWNER"}
            />
            <Field label="Link expires after">
              {(control) => (
                <NativeSelect
                  {...control}
                  value={hours}
                  onChange={(event) => setHours(Number(event.target.value))}
                >
                  {EXPIRY_OPTIONS.map((option) => (
                    <option key={option.hours} value={option.hours}>
                      {option.label}
                    </option>
                  ))}
                </NativeSelect>
              )}
            </Field>
            <Field
              label="Note (optional)"
              hint="For the team's pending list, e.g. who it is for."
            >
              {(control) => (
                <Input
                  {...control}
                  value={note}
                  maxLength={200}
                  onChange={(event) => setNote(event.target.value)}
                />
              )}
            </Field>
            <DialogFormFooter
              submitting={create.isPending}
              disabled={grant.environmentIds !== null && grant.environmentIds.length === 0}
              label="Create link"
            />
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
