"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { toast } from "sonner";

import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { Spinner } from "~/components/spinner";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "~/components/ui/card";
import { Input } from "~/components/ui/input";
import { applyFieldErrors } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

export function NameForm({ name, email }: { name: string; email: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const update = useMutation(trpc.account.updateProfile.mutationOptions());
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting, isDirty },
  } = useForm<{ name: string }>({ values: { name } });

  const onSubmit = async (values: { name: string }): Promise<void> => {
    try {
      await update.mutateAsync(values);
      await queryClient.invalidateQueries(trpc.account.profile.queryFilter());
      // The account menu shows the name from the layout.
      router.refresh();
      toast.success("Name saved");
    } catch (error) {
      applyFieldErrors(error, setError, ["name"]);
    }
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle as="h2">Name and email</CardTitle>
        <CardDescription>Your name appears in the audit log beside your email, which is how you sign in.</CardDescription>
      </CardHeader>
      <CardContent>
        <form noValidate onSubmit={handleSubmit(onSubmit)} className="grid gap-4 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
          <Field label="Name" error={errors.name?.message}>
            {(control) => <Input {...control} autoComplete="name" {...register("name", { required: "Enter your name." })} />}
          </Field>
          <Field label="Email" hint="Ask an owner to change it.">
            {(control) => <Input {...control} value={email} readOnly />}
          </Field>
          <Button type="submit" disabled={isSubmitting || !isDirty} className="sm:mb-[1.625rem]">
            {isSubmitting ? <Spinner /> : null}
            Save
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

interface PasswordValues {
  currentPassword: string;
  newPassword: string;
}

export function PasswordForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const change = useMutation(trpc.account.changePassword.mutationOptions());
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<PasswordValues>({ defaultValues: { currentPassword: "", newPassword: "" } });

  const onSubmit = async (values: PasswordValues): Promise<void> => {
    try {
      const { endedSessions } = await change.mutateAsync(values);
      await queryClient.invalidateQueries(trpc.account.sessions.queryFilter());
      reset();
      toast.success(endedSessions > 0 ? `Password changed; ${endedSessions} other session${endedSessions === 1 ? " was" : "s were"} signed out` : "Password changed");
    } catch (error) {
      applyFieldErrors(error, setError, ["currentPassword", "newPassword"]);
    }
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle as="h2">Password</CardTitle>
        <CardDescription>Changing it signs out every other browser where you are signed in.</CardDescription>
      </CardHeader>
      <CardContent>
        <form noValidate onSubmit={handleSubmit(onSubmit)} className="grid gap-4">
          {!errors.currentPassword && !errors.newPassword ? <ErrorAlert error={change.error} /> : null}
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Current password" error={errors.currentPassword?.message}>
              {(control) => (
                <Input {...control} type="password" autoComplete="current-password" {...register("currentPassword", { required: "Enter your current password." })} />
              )}
            </Field>
            <Field label="New password" hint="At least 10 characters." error={errors.newPassword?.message}>
              {(control) => <Input {...control} type="password" autoComplete="new-password" {...register("newPassword", { required: "Choose a new password." })} />}
            </Field>
          </div>
          <div>
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting ? <Spinner /> : null}
              Change password
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
