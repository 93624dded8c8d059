"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { PlusIcon } from "lucide-react";
import { useState } from "react";
import { useForm, useWatch } from "react-hook-form";

import { DialogFormFooter } from "~/components/dialog-form-footer";
import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { ShownOnceSecret } from "~/components/shown-once-secret";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";
import { applyFieldErrors } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

interface TokenForm {
  name: string;
  scope: "READ" | "DEPLOY" | "ADMIN";
  environmentIds: string[];
  expiresInDays: string;
}

const SCOPES = {
  READ: "Read: hosts, stacks, jobs and logs",
  DEPLOY: "Deploy: read, plus deploy, roll back and take down",
  ADMIN: "Admin: everything its creator may do",
} as const;

export function CreateTokenDialog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const environments = useQuery({ ...trpc.environment.list.queryOptions(), enabled: open });
  const create = useMutation(trpc.apiToken.create.mutationOptions());
  const {
    register,
    handleSubmit,
    setError,
    reset,
    control,
    formState: { errors, isSubmitting },
  } = useForm<TokenForm>({ defaultValues: { name: "", scope: "DEPLOY", environmentIds: [], expiresInDays: "90" } });
  const scope = useWatch({ control, name: "scope" });

  const changeOpen = (next: boolean): void => {
    setOpen(next);
    if (!next) {
      reset();
      setSecret(null);
      create.reset();
    }
  };

  const onSubmit = async (form: TokenForm): Promise<void> => {
    try {
      const created = await create.mutateAsync({
        name: form.name,
        scope: form.scope,
        environmentIds: form.scope === "DEPLOY" ? form.environmentIds : [],
        ...(form.expiresInDays ? { expiresInDays: Number(form.expiresInDays) } : {}),
      });
      setSecret(created.secret);
      await queryClient.invalidateQueries(trpc.apiToken.list.queryFilter());
    } catch (error) {
      applyFieldErrors(error, setError, ["name", "environmentIds", "expiresInDays"]);
    }
  };

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        <Button>
          <PlusIcon aria-hidden />
          Create token
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{secret ? "Token created" : "Create an API token"}</DialogTitle>
          <DialogDescription>
            {secret ? "Copy it now: Wharf keeps only its hash and cannot show it again." : "It acts as itself in the audit log, with at most your own rights."}
          </DialogDescription>
        </DialogHeader>
        {secret ? (
          <ShownOnceSecret id="new-token-secret" label="Token" value={secret} done>
            <p className="text-sm text-muted-foreground">
              Use it as <code className="font-mono text-xs text-foreground">Authorization: Bearer …</code> or with{" "}
              <code className="font-mono text-xs text-foreground">npx wharf login --url {typeof window === "undefined" ? "" : window.location.origin}</code>.
            </p>
          </ShownOnceSecret>
        ) : (
          <form noValidate onSubmit={handleSubmit(onSubmit)} className="grid gap-4">
            {!errors.name ? <ErrorAlert error={create.error} /> : null}
            <Field label="Name" hint="Shown in the audit log, e.g. ci-deploy." error={errors.name?.message}>
              {(control) => <Input {...control} autoComplete="off" {...register("name", { required: "Name the token." })} />}
            </Field>
            <Field label="Scope" error={errors.scope?.message}>
              {(control) => (
                <NativeSelect {...control} {...register("scope")}>
                  {Object.entries(SCOPES).map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </NativeSelect>
              )}
            </Field>
            {scope === "DEPLOY" && (environments.data?.length ?? 0) > 1 ? (
              <fieldset className="grid gap-2">
                <legend className="text-sm font-medium">Deploy only in (none checked: every environment)</legend>
                {environments.data?.map((environment) => (
                  <label key={environment.id} className="flex items-center gap-2 text-sm">
                    <input type="checkbox" value={environment.id} {...register("environmentIds")} />
                    {environment.name}
                  </label>
                ))}
                {errors.environmentIds?.message ? <p className="text-sm text-destructive">{errors.environmentIds.message}</p> : null}
              </fieldset>
            ) : null}
            <Field label="Expires after (days)" hint="Leave empty for a token that never expires." error={errors.expiresInDays?.message}>
              {(control) => <Input {...control} type="number" min={1} max={3650} inputMode="numeric" {...register("expiresInDays")} />}
            </Field>
            <DialogFormFooter submitting={isSubmitting} label="Create" />
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
