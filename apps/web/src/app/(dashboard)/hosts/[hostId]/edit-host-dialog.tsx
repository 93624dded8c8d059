"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertCircleIcon, PencilIcon, ShieldAlertIcon, ShieldQuestionIcon } from "lucide-react";
import { useState } from "react";
import { Controller, useForm, useWatch } from "react-hook-form";
import { toast } from "sonner";

import { Field } from "~/components/field";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { RadioCard, RadioGroup } from "~/components/ui/radio-group";
import { applyFieldErrors } from "~/lib/errors";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { describeFailure, type Failure, keyTypeLabel } from "../host-failure";
import { ChosenKeyFields } from "../key-fields";

type KeyMode = "keep" | "saved" | "paste";
type ScannedKey = RouterOutputs["host"]["scanHostKey"];
type Credential = { type: "existing"; credentialId: string } | { type: "pasted"; privateKey: string; passphrase?: string };

/** The changed fields sent to host.update. */
interface HostChanges {
  name?: string;
  address?: string;
  port?: number;
  username?: string;
  credential?: Credential;
  hostKeyFingerprint?: string;
}

interface EditValues {
  name: string;
  address: string;
  port: string;
  username: string;
  keyMode: KeyMode;
  savedKeyId: string;
  privateKey: string;
  passphrase: string;
}

/** What the dialog needs of the host; it does not import the page that renders it. */
export interface EditableHost {
  id: string;
  name: string;
  address: string;
  port: number;
  username: string;
  hostKeyFingerprint: string;
  credential: { id: string; name: string };
}

const EDIT_FAILED = "The change could not be saved";

function defaults(host: EditableHost): EditValues {
  return { name: host.name, address: host.address, port: String(host.port), username: host.username, keyMode: "keep", savedKeyId: "", privateKey: "", passphrase: "" };
}

/** Only the fields that differ from the host's: the server tests and saves exactly those. */
function changesOf(host: EditableHost, values: EditValues): HostChanges {
  const changes: HostChanges = {};
  if (values.name.trim() !== host.name) changes.name = values.name;
  if (values.address.trim() !== host.address) changes.address = values.address;
  if (Number(values.port) !== host.port) changes.port = Number(values.port);
  if (values.username.trim() !== host.username) changes.username = values.username;
  if (values.keyMode === "saved") changes.credential = { type: "existing", credentialId: values.savedKeyId };
  if (values.keyMode === "paste") changes.credential = { type: "pasted", privateKey: values.privateKey, ...(values.passphrase ? { passphrase: values.passphrase } : {}) };
  return changes;
}

/**
 * Edits a host in place. Wharf tests every change of address, port, user or
 * key for real before saving it; a new address or port first shows the key
 * found there, to be confirmed as when adding a host.
 */
export function EditHostDialog({ host }: { host: EditableHost }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [scanned, setScanned] = useState<ScannedKey | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const credentials = useQuery(trpc.credential.list.queryOptions(undefined, { enabled: open }));
  const scan = useMutation(trpc.host.scanHostKey.mutationOptions());
  const update = useMutation(trpc.host.update.mutationOptions());
  const form = useForm<EditValues>({ defaultValues: defaults(host) });
  const { register, handleSubmit, setError, control, getValues, formState } = form;
  const keyMode = useWatch({ control, name: "keyMode" });
  const pending = scan.isPending || update.isPending;

  const changeOpen = (next: boolean): void => {
    if (pending) return;
    setOpen(next);
    form.reset(defaults(host));
    setScanned(null);
    setFailure(null);
  };

  const fail = (error: unknown): void => {
    setScanned(null);
    const aliases = getValues().keyMode === "paste" ? { credential: "privateKey" as const } : {};
    if (!applyFieldErrors(error, setError, ["name", "address", "port", "username"], aliases)) setFailure(describeFailure(error, EDIT_FAILED));
  };

  const save = async (changes: HostChanges): Promise<void> => {
    try {
      const result = await update.mutateAsync({ hostId: host.id, ...changes });
      await queryClient.invalidateQueries(trpc.host.pathFilter());
      await queryClient.invalidateQueries(trpc.credential.list.queryFilter());
      toast.success(result.changes.length > 0 ? `Saved: ${result.changes.join(", ")}` : "Nothing to change");
      setOpen(false);
    } catch (error) {
      fail(error);
    }
  };

  const onSubmit = async (values: EditValues): Promise<void> => {
    setFailure(null);
    const changes = changesOf(host, values);
    if (changes.address === undefined && changes.port === undefined) return save(changes);
    try {
      // A new endpoint is a new machine as far as trust goes: confirm its key first.
      setScanned(await scan.mutateAsync({ address: values.address, port: Number(values.port) }));
    } catch (error) {
      fail(error);
    }
  };

  const savedKeys = (credentials.data ?? []).filter((key) => key.id !== host.credential.id);
  const values = getValues();

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm">
          <PencilIcon aria-hidden />
          Edit
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-xl" showClose={!pending} onEscapeKeyDown={(event) => pending && event.preventDefault()} onInteractOutside={(event) => pending && event.preventDefault()}>
        <DialogHeader>
          <DialogTitle>{scanned ? "Confirm the new host key" : `Edit ${host.name}`}</DialogTitle>
          <DialogDescription>
            {scanned
              ? "The new address serves this key. Check it on the machine before Wharf sends it any credentials."
              : "Wharf signs in with the new settings before saving them; nothing changes if that fails. Stacks, jobs and history stay with the host."}
          </DialogDescription>
        </DialogHeader>

        {failure ? (
          <Alert variant={failure.warning ? "warning" : "destructive"}>
            {failure.warning ? <ShieldAlertIcon aria-hidden /> : <AlertCircleIcon aria-hidden />}
            <AlertTitle>{failure.title}</AlertTitle>
            <AlertDescription className={failure.warning ? "text-foreground/80" : undefined}>{failure.message}</AlertDescription>
          </Alert>
        ) : null}

        {scanned ? (
          <div className="grid gap-3 text-sm">
            <div className="flex items-start gap-3 rounded-lg border bg-muted/40 p-4">
              <ShieldQuestionIcon aria-hidden className="mt-0.5 size-5 shrink-0 text-warning" />
              <div className="grid min-w-0 gap-2">
                <p>
                  {values.address}:{values.port} presents this {keyTypeLabel(scanned.algorithm)} key:
                </p>
                <p className="rounded-md border bg-background px-3 py-2 font-mono text-sm break-all">{scanned.fingerprint}</p>
                {scanned.fingerprint === host.hostKeyFingerprint ? (
                  <p className="text-muted-foreground">It is the key already pinned for {host.name}.</p>
                ) : (
                  <p className="text-muted-foreground">
                    It replaces the pinned key <span className="font-mono text-xs break-all">{host.hostKeyFingerprint}</span>, which stays in the host&apos;s key history.
                  </p>
                )}
              </div>
            </div>
          </div>
        ) : (
          <form id="edit-host" noValidate onSubmit={handleSubmit(onSubmit)} className="grid gap-4">
            <Field label="Name" hint="Lowercase letters, digits and dashes." error={formState.errors.name?.message}>
              {(field) => <Input {...field} autoComplete="off" spellCheck={false} {...register("name", { required: "Name the host." })} />}
            </Field>
            <div className="grid gap-4 sm:grid-cols-[1fr_7rem]">
              <Field label="Address" hint="A new address or port asks you to confirm the key found there." error={formState.errors.address?.message}>
                {(field) => <Input {...field} autoComplete="off" spellCheck={false} {...register("address", { required: "Enter the host's address." })} />}
              </Field>
              <Field label="SSH port" error={formState.errors.port?.message}>
                {(field) => <Input {...field} inputMode="numeric" {...register("port", { validate: (port) => /^\d+$/.test(port.trim()) && Number(port) >= 1 && Number(port) <= 65535 ? true : "Ports run from 1 to 65535." })} />}
              </Field>
            </div>
            <Field label="SSH user" hint="The agent lives in this user's home directory." error={formState.errors.username?.message}>
              {(field) => <Input {...field} autoComplete="off" spellCheck={false} {...register("username", { required: "Enter the SSH user." })} />}
            </Field>
            <fieldset className="grid gap-3">
              <legend className="mb-2 text-sm font-medium">SSH key</legend>
              <Controller
                control={control}
                name="keyMode"
                render={({ field }) => (
                  <RadioGroup value={field.value} onValueChange={(value) => field.onChange(value)} aria-label="SSH key">
                    <RadioCard id="edit-key-keep" value="keep" title="Keep the current key" description={host.credential.name} />
                    <RadioCard
                      id="edit-key-saved"
                      value="saved"
                      disabled={savedKeys.length === 0}
                      title="Use another saved key"
                      description={credentials.isPending ? "Loading saved keys…" : savedKeys.length === 0 ? "No other key saved in this team." : `${savedKeys.length} other saved in this team.`}
                    />
                    <RadioCard id="edit-key-paste" value="paste" title="Paste a private key" description="Stored encrypted, with its passphrase if it has one." />
                  </RadioGroup>
                )}
              />
              <ChosenKeyFields keyMode={keyMode} keys={savedKeys} form={form} />
            </fieldset>
          </form>
        )}

        <DialogFooter className="sticky -bottom-6 -mx-6 -mb-6 border-t bg-background px-6 py-4">
          {scanned ? (
            <>
              <Button variant="outline" onClick={() => setScanned(null)} disabled={pending}>
                Back
              </Button>
              <Button onClick={() => void save({ ...changesOf(host, getValues()), hostKeyFingerprint: scanned.fingerprint })} disabled={pending}>
                {pending ? <Spinner /> : null}
                {pending ? "Testing and saving…" : "Trust and save"}
              </Button>
            </>
          ) : (
            <>
              <Button variant="outline" onClick={() => changeOpen(false)} disabled={pending}>
                Cancel
              </Button>
              <Button type="submit" form="edit-host" disabled={pending}>
                {pending ? <Spinner /> : null}
                {scan.isPending ? "Reading the host key…" : update.isPending ? "Testing and saving…" : "Test and save"}
              </Button>
            </>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
