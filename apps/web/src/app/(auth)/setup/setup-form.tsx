"use client";

import { useMutation } from "@tanstack/react-query";
import { AlertCircleIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Field } from "~/components/field";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "~/components/ui/card";
import { Input } from "~/components/ui/input";
import { applyFieldErrors, errorMessage, errorReason } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

interface SetupValues {
  name: string;
  email: string;
  password: string;
  teamName: string;
}

const FIELDS = ["name", "email", "password", "teamName"] as const;

export function SetupForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [failure, setFailure] = useState<{ title: string; message: string } | null>(null);
  const complete = useMutation(trpc.setup.complete.mutationOptions());
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<SetupValues>({ defaultValues: { name: "", email: "", password: "", teamName: "" } });

  const onSubmit = async (values: SetupValues): Promise<void> => {
    setFailure(null);
    try {
      await complete.mutateAsync({ token, ...values });
    } catch (error) {
      if (applyFieldErrors(error, setError, FIELDS)) return;
      const reason = errorReason(error);
      setFailure({
        title: reason === "SETUP_TOKEN_EXPIRED" || reason === "SETUP_TOKEN_INVALID" ? "The setup link cannot be used" : "Setup failed",
        message: errorMessage(error),
      });
      return;
    }
    const result = await signIn("credentials", { email: values.email, password: values.password, redirect: false });
    // The owner exists now; if signing in fails for another reason, the sign-in page explains it.
    router.replace(result?.ok ? "/hosts" : "/signin");
    router.refresh();
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle as="h1" className="text-lg">
          Create the owner account
        </CardTitle>
        <CardDescription>You are the first user: you will own Wharf and its first team.</CardDescription>
      </CardHeader>
      <CardContent>
        <form noValidate onSubmit={handleSubmit(onSubmit)} className="grid gap-4">
          {failure ? (
            <Alert variant="destructive">
              <AlertCircleIcon aria-hidden />
              <AlertTitle>{failure.title}</AlertTitle>
              <AlertDescription>{failure.message}</AlertDescription>
            </Alert>
          ) : null}
          <Field label="Your name" error={errors.name?.message}>
            {(control) => <Input {...control} autoComplete="name" autoFocus {...register("name", { required: "Enter your name." })} />}
          </Field>
          <Field label="Email" error={errors.email?.message}>
            {(control) => (
              <Input {...control} type="email" autoComplete="username" {...register("email", { required: "Enter your email address." })} />
            )}
          </Field>
          <Field label="Password" hint="At least 10 characters." error={errors.password?.message}>
            {(control) => (
              <Input {...control} type="password" autoComplete="new-password" {...register("password", { required: "Choose a password." })} />
            )}
          </Field>
          <Field label="Team name" hint="Hosts and SSH keys belong to a team." error={errors.teamName?.message}>
            {(control) => <Input {...control} autoComplete="organization" {...register("teamName", { required: "Name your team." })} />}
          </Field>
          <Button type="submit" disabled={isSubmitting} className="w-full">
            {isSubmitting ? <Spinner /> : null}
            {isSubmitting ? "Creating your account…" : "Create account and sign in"}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
