"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertCircleIcon, CheckCircle2Icon, KeyRoundIcon, ShieldAlertIcon, ShieldQuestionIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { Controller, useForm, useWatch } from "react-hook-form";

import { Field } from "~/components/field";
import { ShownOnceSecret } from "~/components/shown-once-secret";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";
import { RadioCard, RadioGroup } from "~/components/ui/radio-group";
import { applyFieldErrors, errorMessage } from "~/lib/errors";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { describeFailure, type Failure, keyTypeLabel } from "./host-failure";
import { ChosenKeyFields } from "./key-fields";

type KeyMode = "generate" | "saved" | "paste";
type Step = "details" | "confirm" | "connecting" | "done";
type GeneratedKey = RouterOutputs["credential"]["generate"];
type ScannedKey = RouterOutputs["host"]["scanHostKey"];

interface HostDetails {
  name: string;
  address: string;
  port: string;
  username: string;
  keyMode: KeyMode;
  savedKeyId: string;
  privateKey: string;
  passphrase: string;
  /** Empty: the team's first environment. */
  environmentId: string;
}

const FIELD_ORDER = ["name", "address", "port", "username", "privateKey"] as const;

const EMPTY: HostDetails = { name: "", address: "", port: "22", username: "", keyMode: "generate", savedKeyId: "", privateKey: "", passphrase: "", environmentId: "" };

const ADD_FAILED = "The host could not be added";

// The server answers only at the end; these steps describe what it is doing meanwhile.
const PROGRESS = [
  { after: 0, text: "Connecting over SSH…" },
  { after: 2_500, text: "Installing the agent…" },
  { after: 7_000, text: "Reading host facts…" },
] as const;

/** Mounted only while the host is being set up, so its phase starts at 0 each time. */
function ConnectingProgress() {
  const [phase, setPhase] = useState(0);
  useEffect(() => {
    const timers = PROGRESS.slice(1).map((next, offset) => setTimeout(() => setPhase(offset + 1), next.after));
    return () => timers.forEach(clearTimeout);
  }, []);
  return (
    <div role="status" aria-live="polite" className="flex items-center gap-3 rounded-lg border bg-muted/40 p-4 text-sm">
      <Spinner className="size-5" />
      <span>{PROGRESS[phase]?.text ?? PROGRESS[0].text}</span>
    </div>
  );
}

export function AddHostDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [step, setStep] = useState<Step>("details");
  const [scanned, setScanned] = useState<ScannedKey | null>(null);
  const [generated, setGenerated] = useState<GeneratedKey | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const failureRef = useRef<HTMLDivElement>(null);

  const credentials = useQuery(trpc.credential.list.queryOptions(undefined, { enabled: open }));
  const environments = useQuery(trpc.environment.list.queryOptions(undefined, { enabled: open }));
  const generate = useMutation(trpc.credential.generate.mutationOptions());
  const scan = useMutation(trpc.host.scanHostKey.mutationOptions());
  const create = useMutation(trpc.host.create.mutationOptions());

  const form = useForm<HostDetails>({ defaultValues: EMPTY });
  const { register, handleSubmit, setError, clearErrors, control, getValues, getFieldState, setFocus, formState } = form;
  const [keyMode, username] = useWatch({ control, name: ["keyMode", "username"] });

  // Moves focus to the new step's heading so keyboard and screen-reader users follow along; back on
  // the first step after a failure, to the first field the API rejected (it was not mounted when the error came).
  useEffect(() => {
    if (step !== "details") {
      headingRef.current?.focus();
      return;
    }
    const rejected = FIELD_ORDER.find((field) => getFieldState(field).error);
    if (rejected) setFocus(rejected);
  }, [step, getFieldState, setFocus]);
  useEffect(() => {
    if (failure) failureRef.current?.focus();
  }, [failure]);

  const reset = (): void => {
    form.reset(EMPTY);
    setStep("details");
    setScanned(null);
    setGenerated(null);
    setFailure(null);
  };

  const changeOpen = (next: boolean): void => {
    if (step === "connecting") return; // the host is being set up: closing would hide the outcome
    onOpenChange(next);
    if (!next) reset();
  };

  const generateKey = async (): Promise<void> => {
    const { name, address } = getValues();
    setFailure(null);
    try {
      const key = await generate.mutateAsync({ name: `${name.trim() || address.trim() || "new host"} key` });
      setGenerated(key);
      clearErrors("keyMode");
      await queryClient.invalidateQueries(trpc.credential.list.queryFilter());
    } catch (error) {
      setFailure({ title: "The key could not be generated", message: errorMessage(error), warning: false });
    }
  };

  const credentialInput = (values: HostDetails) => {
    if (values.keyMode === "paste") {
      return { type: "pasted" as const, privateKey: values.privateKey, ...(values.passphrase ? { passphrase: values.passphrase } : {}) };
    }
    return { type: "existing" as const, credentialId: values.keyMode === "generate" ? (generated?.id ?? "") : values.savedKeyId };
  };

  const onContinue = async (values: HostDetails): Promise<void> => {
    setFailure(null);
    if (values.keyMode === "generate" && !generated) {
      setError("keyMode", { type: "manual", message: "Generate the key and add it to the host first." });
      return;
    }
    try {
      setScanned(await scan.mutateAsync({ address: values.address, port: Number(values.port), environmentId: values.environmentId || undefined }));
      setStep("confirm");
    } catch (error) {
      if (!applyFieldErrors(error, setError, ["address", "port"])) setFailure(describeFailure(error, ADD_FAILED));
    }
  };

  const onConfirm = async (): Promise<void> => {
    if (!scanned) return;
    const values = getValues();
    setStep("connecting");
    try {
      const host = await create.mutateAsync({
        name: values.name,
        address: values.address,
        port: Number(values.port),
        username: values.username,
        credential: credentialInput(values),
        hostKeyFingerprint: scanned.fingerprint,
        environmentId: values.environmentId || undefined,
      });
      await queryClient.invalidateQueries(trpc.host.list.queryFilter());
      await queryClient.invalidateQueries(trpc.credential.list.queryFilter());
      setStep("done");
      router.push(`/hosts/${host.id}`);
    } catch (error) {
      setStep("details");
      // A rejected pasted key is reported on the credential; it belongs next to the key field.
      const aliases = values.keyMode === "paste" ? { credential: "privateKey" as const } : {};
      const matched = applyFieldErrors(error, setError, ["name", "address", "port", "username"], aliases);
      if (!matched) setFailure(describeFailure(error, ADD_FAILED));
    }
  };

  const savedKeys = credentials.data ?? [];
  const values = getValues();

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogContent
        className="sm:max-w-xl"
        showClose={step !== "connecting"}
        onEscapeKeyDown={(event) => step === "connecting" && event.preventDefault()}
        onInteractOutside={(event) => step === "connecting" && event.preventDefault()}
      >
        <DialogHeader>
          <p className="text-xs font-medium text-muted-foreground">Step {step === "details" ? 1 : step === "confirm" ? 2 : 3} of 3</p>
          <DialogTitle ref={headingRef} tabIndex={-1} className="outline-none">
            {step === "details"
              ? "Add a host"
              : step === "confirm"
                ? "Confirm the host key"
                : step === "connecting"
                  ? "Setting up the host"
                  : "Host added"}
          </DialogTitle>
          <DialogDescription>
            {step === "details"
              ? "Wharf signs in over SSH, installs a small agent in the user's home directory and reads Docker's state."
              : step === "confirm"
                ? "Check that you are talking to the right machine before Wharf sends it any credentials."
                : `${values.username}@${values.address}:${values.port}`}
          </DialogDescription>
        </DialogHeader>

        {failure && step === "details" ? (
          <Alert ref={failureRef} tabIndex={-1} variant={failure.warning ? "warning" : "destructive"} className="outline-none">
            {failure.warning ? <ShieldAlertIcon aria-hidden /> : <AlertCircleIcon aria-hidden />}
            <AlertTitle>{failure.title}</AlertTitle>
            <AlertDescription className={failure.warning ? "text-foreground/80" : undefined}>{failure.message}</AlertDescription>
          </Alert>
        ) : null}

        {step === "details" ? (
          <form id="add-host-details" noValidate onSubmit={handleSubmit(onContinue)} className="grid gap-4">
            <Field label="Name" hint="Lowercase letters, digits and dashes, e.g. build-01." error={formState.errors.name?.message}>
              {(field) => <Input {...field} autoComplete="off" spellCheck={false} {...register("name", { required: "Name the host." })} />}
            </Field>
            <div className="grid gap-4 sm:grid-cols-[1fr_7rem]">
              <Field label="Address" hint="Hostname or IP address." error={formState.errors.address?.message}>
                {(field) => (
                  <Input
                    {...field}
                    autoComplete="off"
                    spellCheck={false}
                    placeholder="10.0.0.12"
                    {...register("address", { required: "Enter the host's address." })}
                  />
                )}
              </Field>
              <Field label="SSH port" error={formState.errors.port?.message}>
                {(field) => <Input {...field} inputMode="numeric" {...register("port", { required: "Enter the SSH port." })} />}
              </Field>
            </div>
            <Field label="SSH user" hint="A user that may run docker, e.g. deploy." error={formState.errors.username?.message}>
              {(field) => <Input {...field} autoComplete="off" spellCheck={false} {...register("username", { required: "Enter the SSH user." })} />}
            </Field>
            <Field label="Environment" hint="Roles can be limited to environments; change it later on the host's page.">
              {(field) => (
                <NativeSelect {...field} {...register("environmentId")}>
                  {/* Until one is picked the value stays empty: the server then uses the first (oldest) one, listed first. */}
                  {(environments.data ?? []).map((environment) => (
                    <option key={environment.id} value={environment.id}>
                      {environment.name}
                    </option>
                  ))}
                </NativeSelect>
              )}
            </Field>

            <fieldset className="grid gap-3">
              <legend className="mb-2 text-sm font-medium">SSH key</legend>
              <Controller
                control={control}
                name="keyMode"
                render={({ field }) => (
                  <RadioGroup value={field.value} onValueChange={(value) => field.onChange(value)} aria-label="SSH key">
                    <RadioCard
                      id="key-generate"
                      value="generate"
                      title="Generate a new key"
                      description="An ed25519 key pair; the private half stays encrypted in Wharf."
                    />
                    <RadioCard
                      id="key-saved"
                      value="saved"
                      disabled={savedKeys.length === 0}
                      title="Use a saved key"
                      description={
                        credentials.isPending
                          ? "Loading saved keys…"
                          : savedKeys.length === 0
                            ? "No keys saved in this team yet."
                            : `${savedKeys.length} saved in this team.`
                      }
                    />
                    <RadioCard
                      id="key-paste"
                      value="paste"
                      title="Paste a private key"
                      description="Stored encrypted, with its passphrase if it has one."
                    />
                  </RadioGroup>
                )}
              />
              {formState.errors.keyMode?.message ? (
                <p role="alert" className="text-sm text-destructive">
                  {formState.errors.keyMode.message}
                </p>
              ) : null}

              {keyMode === "generate" ? (
                generated ? (
                  <ShownOnceSecret id="generated-public-key" label="Public key" value={generated.publicKey} multiline className="rounded-lg border bg-muted/40 p-3">
                    <p className="text-sm text-muted-foreground">
                      Append this line to <code className="font-mono text-xs text-foreground">~/.ssh/authorized_keys</code> of{" "}
                      <span className="font-medium text-foreground">{username || "the SSH user"}</span> on the host, then continue.
                    </p>
                  </ShownOnceSecret>
                ) : (
                  <Button variant="secondary" onClick={() => void generateKey()} disabled={generate.isPending} className="w-fit">
                    {generate.isPending ? <Spinner /> : <KeyRoundIcon aria-hidden />}
                    Generate key pair
                  </Button>
                )
              ) : null}

              <ChosenKeyFields keyMode={keyMode} keys={savedKeys} form={form} />
            </fieldset>
          </form>
        ) : null}

        {step === "confirm" && scanned ? (
          <div className="grid gap-3 text-sm">
            <div className="flex items-start gap-3 rounded-lg border bg-muted/40 p-4">
              <ShieldQuestionIcon aria-hidden className="mt-0.5 size-5 shrink-0 text-warning" />
              <div className="grid gap-2">
                <p>
                  The authenticity of host <span className="font-medium">{values.address}</span> ({values.address}:{values.port}) can&apos;t be
                  established. Its {keyTypeLabel(scanned.algorithm)} key fingerprint is:
                </p>
                <p className="rounded-md border bg-background px-3 py-2 font-mono text-sm break-all">{scanned.fingerprint}</p>
              </div>
            </div>
            <p className="text-muted-foreground">
              Compare it with{" "}
              <code className="font-mono text-xs text-foreground">
                ssh-keygen -lf /etc/ssh/ssh_host_{keyTypeLabel(scanned.algorithm).toLowerCase()}_key.pub
              </code>{" "}
              run on the host. Wharf pins this key and refuses to connect if it ever changes.
            </p>
          </div>
        ) : null}

        {step === "connecting" ? <ConnectingProgress /> : null}

        {step === "done" ? (
          <div role="status" aria-live="polite" className="flex items-center gap-3 rounded-lg border border-success/30 bg-success/5 p-4 text-sm">
            <CheckCircle2Icon aria-hidden className="size-5 text-success" />
            <span>
              <span className="font-medium">{values.name}</span> is connected. Opening its page…
            </span>
          </div>
        ) : null}

        {/* Sticky: the first step is taller than small screens, and its buttons must stay reachable. */}
        {step === "connecting" ? null : (
          <DialogFooter className="sticky -bottom-6 -mx-6 -mb-6 border-t bg-background px-6 py-4">
            {step === "details" ? (
              <>
                <Button variant="outline" onClick={() => changeOpen(false)}>
                  Cancel
                </Button>
                <Button type="submit" form="add-host-details" disabled={scan.isPending}>
                  {scan.isPending ? <Spinner /> : null}
                  {scan.isPending ? "Reading the host key…" : "Continue"}
                </Button>
              </>
            ) : null}
            {step === "confirm" ? (
              <>
                <Button variant="outline" onClick={() => setStep("details")}>
                  Back
                </Button>
                <Button onClick={() => void onConfirm()}>Trust and connect</Button>
              </>
            ) : null}
            {step === "done" ? <Button onClick={() => changeOpen(false)}>Close</Button> : null}
          </DialogFooter>
        )}
      </DialogContent>
    </Dialog>
  );
}
