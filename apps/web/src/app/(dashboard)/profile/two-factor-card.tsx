"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertCircleIcon, ShieldCheckIcon } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";

import { CopyButton } from "~/components/copy-button";
import { Field } from "~/components/field";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "~/components/ui/card";
import { Input } from "~/components/ui/input";
import { applyFieldErrors, errorMessage } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

/** Turning two-factor sign-in on (secret, confirm with a code, recovery codes shown once) or off (with the password). */
export function TwoFactorCard({ enabled, recoveryCodesLeft, hasPassword }: { enabled: boolean; recoveryCodesLeft: number; hasPassword: boolean }) {
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h2" className="flex items-center gap-2">
          Two-factor sign-in
          {enabled ? (
            <Badge variant="success">
              <ShieldCheckIcon aria-hidden /> On
            </Badge>
          ) : (
            <Badge variant="secondary">Off</Badge>
          )}
        </CardTitle>
        <CardDescription>
          {enabled
            ? `Signing in asks for a code from your authenticator app. ${recoveryCodesLeft} unused recovery code${recoveryCodesLeft === 1 ? "" : "s"} left.`
            : "Ask for a code from an authenticator app (TOTP) after your password."}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {recoveryCodes ? <RecoveryCodes codes={recoveryCodes} onDone={() => setRecoveryCodes(null)} /> : null}
        {enabled ? hasPassword ? <DisableForm /> : null : <EnrolForm onEnabled={setRecoveryCodes} />}
      </CardContent>
    </Card>
  );
}

function EnrolForm({ onEnabled }: { onEnabled: (codes: string[]) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const begin = useMutation(trpc.account.beginTwoFactor.mutationOptions());
  const enable = useMutation(trpc.account.enableTwoFactor.mutationOptions());
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<{ code: string }>({ defaultValues: { code: "" } });

  if (!begin.data) {
    return (
      <div className="grid gap-2">
        {begin.error ? <p className="text-sm text-destructive">{errorMessage(begin.error)}</p> : null}
        <div>
          <Button onClick={() => begin.mutate()} disabled={begin.isPending}>
            {begin.isPending ? <Spinner /> : null}
            Set up two-factor sign-in
          </Button>
        </div>
      </div>
    );
  }

  const onSubmit = async ({ code }: { code: string }): Promise<void> => {
    try {
      const { recoveryCodes } = await enable.mutateAsync({ code });
      onEnabled(recoveryCodes);
      await queryClient.invalidateQueries(trpc.account.profile.queryFilter());
      toast.success("Two-factor sign-in is on");
    } catch (error) {
      if (!applyFieldErrors(error, setError, ["code"])) setError("code", { message: errorMessage(error) });
    }
  };

  return (
    <form noValidate onSubmit={handleSubmit(onSubmit)} className="grid gap-4">
      <ol className="grid list-decimal gap-2 pl-5 text-sm">
        <li>
          In your authenticator app, add an account with this key (or open the <code className="font-mono text-xs">otpauth://</code> link on this device):
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code data-testid="totp-secret" className="rounded bg-muted px-2 py-1 font-mono text-sm tracking-wider break-all">
              {begin.data.secret}
            </code>
            <CopyButton value={begin.data.secret} label="Copy the key" size="sm" variant="outline">
              Copy key
            </CopyButton>
            <Button asChild size="sm" variant="ghost">
              <a href={begin.data.uri}>Open in app</a>
            </Button>
          </div>
        </li>
        <li>Enter the 6-digit code it shows to confirm.</li>
      </ol>
      <div className="flex flex-wrap items-end gap-3">
        <Field label="Code from the app" error={errors.code?.message} className="w-48">
          {(control) => (
            <Input {...control} inputMode="numeric" autoComplete="one-time-code" maxLength={6} {...register("code", { required: "Enter the 6-digit code." })} />
          )}
        </Field>
        <Button type="submit" disabled={isSubmitting} className={errors.code ? "mb-7" : undefined}>
          {isSubmitting ? <Spinner /> : null}
          Turn on
        </Button>
      </div>
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <Alert>
      <ShieldCheckIcon aria-hidden />
      <AlertTitle>Save your recovery codes now</AlertTitle>
      <AlertDescription className="grid gap-3">
        <p>Each signs in once when your phone is not at hand. They are not shown again.</p>
        <ul aria-label="Recovery codes" className="grid grid-cols-2 gap-x-6 gap-y-1 font-mono text-sm text-foreground sm:grid-cols-5">
          {codes.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ul>
        <div className="flex gap-2">
          <CopyButton value={codes.join("\n")} label="Copy the recovery codes" size="sm" variant="outline">
            Copy all
          </CopyButton>
          <Button size="sm" variant="ghost" onClick={onDone}>
            I saved them
          </Button>
        </div>
      </AlertDescription>
    </Alert>
  );
}

function DisableForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const disable = useMutation(trpc.account.disableTwoFactor.mutationOptions());
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<{ password: string }>({ defaultValues: { password: "" } });

  const onSubmit = async (values: { password: string }): Promise<void> => {
    try {
      await disable.mutateAsync(values);
      reset();
      await queryClient.invalidateQueries(trpc.account.profile.queryFilter());
      toast.success("Two-factor sign-in is off");
    } catch (error) {
      if (!applyFieldErrors(error, setError, ["password"])) setError("password", { message: errorMessage(error) });
    }
  };

  return (
    <form noValidate onSubmit={handleSubmit(onSubmit)} className="flex flex-wrap items-end gap-3">
      <Field label="Password, to turn it off" error={errors.password?.message} className="w-64">
        {(control) => <Input {...control} type="password" autoComplete="current-password" {...register("password", { required: "Enter your password." })} />}
      </Field>
      <Button type="submit" variant="outline" disabled={isSubmitting} className={errors.password ? "mb-7" : undefined}>
        {isSubmitting ? <Spinner /> : <AlertCircleIcon aria-hidden />}
        Turn off
      </Button>
    </form>
  );
}
