"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { signIn, signOut } from "next-auth/react";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { Spinner } from "~/components/spinner";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { applyFieldErrors } from "~/lib/errors";
import { activateTeam } from "~/lib/team";
import { useTRPC } from "~/trpc/react";

/** A signed-in user joins with their account. */
export function AcceptInvitation({ token, email }: { token: string; email: string }) {
  const trpc = useTRPC();
  const accept = useMutation(trpc.invitation.accept.mutationOptions());
  return (
    <div className="grid gap-4">
      <ErrorAlert error={accept.error} />
      <p className="text-sm text-muted-foreground">
        You are signed in as <span className="font-medium text-foreground">{email}</span>.
      </p>
      <Button
        className="w-full"
        disabled={accept.isPending}
        onClick={() => {
          void accept
            .mutateAsync({ token })
            .then((joined) => activateTeam(joined.teamId))
            .catch(() => undefined);
        }}
      >
        {accept.isPending ? <Spinner /> : null}
        Accept invitation
      </Button>
      <Button variant="ghost" className="w-full" onClick={() => void signOut({ callbackUrl: `/invite/${token}` })}>
        Not you? Sign out
      </Button>
    </div>
  );
}

interface SignUpValues {
  name: string;
  email: string;
  password: string;
}

/** A new user creates their account through the invitation, then is signed in. */
export function SignUpWithInvitation({ token, signInHref }: { token: string; signInHref: string }) {
  const trpc = useTRPC();
  const signUp = useMutation(trpc.invitation.signUp.mutationOptions());
  const [signInError, setSignInError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<SignUpValues>({ defaultValues: { name: "", email: "", password: "" } });

  const onSubmit = async (values: SignUpValues): Promise<void> => {
    try {
      const joined = await signUp.mutateAsync({ token, ...values });
      const result = await signIn("credentials", { email: joined.email, password: values.password, redirect: false });
      if (!result?.ok || result.error) {
        setSignInError("Your account was created and joined the team, but signing in failed: sign in with it.");
        return;
      }
      activateTeam(joined.teamId);
    } catch (error) {
      applyFieldErrors(error, setError, ["name", "email", "password"]);
    }
  };

  return (
    <form noValidate onSubmit={handleSubmit(onSubmit)} className="grid gap-4">
      <ErrorAlert error={signUp.error ?? (signInError ? new Error(signInError) : null)} />
      <Field label="Your name" error={errors.name?.message}>
        {(control) => <Input {...control} autoComplete="name" autoFocus {...register("name", { required: "Enter your name." })} />}
      </Field>
      <Field label="Email" error={errors.email?.message}>
        {(control) => <Input {...control} type="email" autoComplete="username" {...register("email", { required: "Enter your email address." })} />}
      </Field>
      <Field label="Password" hint="At least 10 characters." error={errors.password?.message}>
        {(control) => <Input {...control} type="password" autoComplete="new-password" {...register("password", { required: "Choose a password." })} />}
      </Field>
      <Button type="submit" disabled={isSubmitting} className="w-full">
        {isSubmitting ? <Spinner /> : null}
        Create account and join
      </Button>
      <p className="text-center text-sm text-muted-foreground">
        Already have an account?{" "}
        <Link href={signInHref} className="font-medium text-foreground underline underline-offset-4">
          Sign in to accept
        </Link>
      </p>
    </form>
  );
}
