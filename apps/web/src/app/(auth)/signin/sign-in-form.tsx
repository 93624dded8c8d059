"use client";

import { TWO_FACTOR_REQUIRED } from "@wharf/api/lib/sign-in-messages";
import { AlertCircleIcon, KeyRoundIcon } from "lucide-react";
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
  code: string;
}

const WRONG_CREDENTIALS = "Wrong email or password.";

// next-auth reports a null from authorize() as "CredentialsSignin"; thrown messages arrive verbatim.
function describeSignInError(error: string): string {
  return error === "CredentialsSignin" ? WRONG_CREDENTIALS : error;
}

export function SignInForm({ callbackPath, initialError, oidcName }: { callbackPath: string; initialError: string | null; oidcName: string | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(initialError ? describeSignInError(initialError) : null);
  // Shown once the password was right and the account asks for a second factor.
  const [needsCode, setNeedsCode] = useState(false);
  const {
    register,
    handleSubmit,
    setFocus,
    formState: { errors, isSubmitting },
  } = useForm<SignInValues>({ defaultValues: { email: "", password: "", code: "" } });

  const onSubmit = async (values: SignInValues): Promise<void> => {
    setError(null);
    const result = await signIn("credentials", { email: values.email, password: values.password, code: needsCode ? values.code : "", redirect: false });
    if (result?.error === TWO_FACTOR_REQUIRED) {
      setNeedsCode(true);
      setTimeout(() => setFocus("code"), 0);
      return;
    }
    if (!result?.ok || result.error) {
      setError(needsCode && result?.error === "CredentialsSignin" ? "That code is not right, or was already used." : describeSignInError(result?.error ?? "CredentialsSignin"));
      setFocus(needsCode ? "code" : "password", { shouldSelect: true });
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
          {needsCode ? (
            <Field label="Two-factor code" hint={TWO_FACTOR_REQUIRED}>
              {(control) => <Input {...control} autoComplete="one-time-code" {...register("code")} />}
            </Field>
          ) : null}
          <Button type="submit" disabled={isSubmitting} className="w-full">
            {isSubmitting ? <Spinner /> : null}
            {isSubmitting ? "Signing in…" : "Sign in"}
          </Button>
        </form>
        {oidcName ? (
          <div className="mt-4 grid gap-4">
            <div className="flex items-center gap-3 text-xs text-muted-foreground">
              <span className="h-px flex-1 bg-border" />
              or
              <span className="h-px flex-1 bg-border" />
            </div>
            <Button variant="outline" className="w-full" onClick={() => void signIn("oidc", { callbackUrl: callbackPath })}>
              <KeyRoundIcon aria-hidden />
              Continue with {oidcName}
            </Button>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
