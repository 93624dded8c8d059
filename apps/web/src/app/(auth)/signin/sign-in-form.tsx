"use client";

import { AlertCircleIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Field } from "~/components/field";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "~/components/ui/card";
import { Input } from "~/components/ui/input";

interface SignInValues {
  email: string;
  password: string;
}

const WRONG_CREDENTIALS = "Wrong email or password.";

// next-auth reports a null from authorize() as "CredentialsSignin"; thrown messages arrive verbatim.
function describeSignInError(error: string): string {
  return error === "CredentialsSignin" ? WRONG_CREDENTIALS : error;
}

export function SignInForm({ callbackPath, initialError }: { callbackPath: string; initialError: string | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(initialError ? describeSignInError(initialError) : null);
  const {
    register,
    handleSubmit,
    setFocus,
    formState: { errors, isSubmitting },
  } = useForm<SignInValues>({ defaultValues: { email: "", password: "" } });

  const onSubmit = async (values: SignInValues): Promise<void> => {
    setError(null);
    const result = await signIn("credentials", { email: values.email, password: values.password, redirect: false });
    if (!result?.ok || result.error) {
      setError(describeSignInError(result?.error ?? "CredentialsSignin"));
      setFocus("password", { shouldSelect: true });
      return;
    }
    router.replace(callbackPath);
    router.refresh();
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle as="h1" className="text-lg">
          Sign in to Wharf
        </CardTitle>
        <CardDescription>Use the email and password of your Wharf account.</CardDescription>
      </CardHeader>
      <CardContent>
        <form noValidate onSubmit={handleSubmit(onSubmit)} className="grid gap-4">
          {error ? (
            <Alert variant="destructive">
              <AlertCircleIcon aria-hidden />
              <AlertDescription>{error}</AlertDescription>
            </Alert>
          ) : null}
          <Field label="Email" error={errors.email?.message}>
            {(control) => (
              <Input {...control} type="email" autoComplete="username" autoFocus {...register("email", { required: "Enter your email address." })} />
            )}
          </Field>
          <Field label="Password" error={errors.password?.message}>
            {(control) => (
              <Input {...control} type="password" autoComplete="current-password" {...register("password", { required: "Enter your password." })} />
            )}
          </Field>
          <Button type="submit" disabled={isSubmitting} className="w-full">
            {isSubmitting ? <Spinner /> : null}
            {isSubmitting ? "Signing in…" : "Sign in"}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
