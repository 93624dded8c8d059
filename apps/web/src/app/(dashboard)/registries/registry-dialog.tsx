"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { PencilIcon, PlusIcon } from "lucide-react";
import { useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { toast } from "sonner";

import { DialogFormFooter } from "~/components/dialog-form-footer";
import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";
import { Textarea } from "~/components/ui/textarea";
import { applyFieldErrors } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

import { KIND_LABEL, type RegistryRow } from "./registries-view";

type Kind = RegistryRow["kind"];

interface RegistryValues {
  kind: Kind;
  name: string;
  url: string;
  username: string;
  secret: string;
  region: string;
  awsRegistryId: string;
  accessKeyId: string;
  roleArn: string;
  caCert: string;
}

const FIELDS = ["name", "url", "username", "region", "awsRegistryId", "accessKeyId", "roleArn", "caCert"] as const;

function valuesOf(registry: RegistryRow | undefined): RegistryValues {
  return {
    kind: registry?.kind ?? "V2",
    name: registry?.name ?? "",
    url: registry?.url ?? "",
    username: registry?.username ?? "",
    secret: "",
    region: registry?.region ?? "",
    awsRegistryId: registry?.awsRegistryId ?? "",
    accessKeyId: registry?.accessKeyId ?? "",
    roleArn: registry?.roleArn ?? "",
    caCert: registry?.caCert ?? "",
  };
}

/** Only what the kind takes; empty optional fields and an empty secret (keep the stored one) are left out. */
function settingsOf(values: RegistryValues) {
  const optional = (key: string, value: string) => (value.trim() ? { [key]: value.trim() } : {});
  switch (values.kind) {
    case "DOCKER_HUB":
      return { kind: "DOCKER_HUB" as const, name: values.name, username: values.username, ...(values.secret ? { accessToken: values.secret } : {}) };
    case "ECR":
      return {
        kind: "ECR" as const,
        name: values.name,
        region: values.region.trim(),
        awsRegistryId: values.awsRegistryId.trim(),
        ...optional("accessKeyId", values.accessKeyId),
        ...optional("roleArn", values.roleArn),
        ...(values.secret ? { secretAccessKey: values.secret } : {}),
      };
    case "V2":
      return {
        kind: "V2" as const,
        name: values.name,
        url: values.url.trim(),
        ...optional("username", values.username),
        ...optional("caCert", values.caCert),
        ...(values.secret ? { password: values.secret } : {}),
      };
  }
}

const SECRET_LABEL: Record<Kind, string> = { DOCKER_HUB: "Access token", ECR: "Secret access key", V2: "Password" };

/** Adds a registry, or edits `registry`: its secret is never shown; left empty, the stored one stays. */
export function RegistryDialog({ registry }: { registry?: RegistryRow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const create = useMutation(trpc.registry.create.mutationOptions());
  const update = useMutation(trpc.registry.update.mutationOptions());
  const saving = registry ? update : create;
  const {
    register,
    handleSubmit,
    setError,
    reset,
    control,
    formState: { errors, isSubmitting },
  } = useForm<RegistryValues>({ defaultValues: valuesOf(registry) });
  const kind = useWatch({ control, name: "kind" });

  const changeOpen = (next: boolean): void => {
    setOpen(next);
    if (!next) {
      reset(valuesOf(registry));
      create.reset();
      update.reset();
    }
  };

  const onSubmit = async (values: RegistryValues): Promise<void> => {
    try {
      const settings = settingsOf(values);
      const saved = registry ? await update.mutateAsync({ registryId: registry.id, settings }) : await create.mutateAsync(settings);
      await queryClient.invalidateQueries(trpc.registry.list.queryFilter());
      toast.success(`${registry ? "Saved" : "Added"} ${saved.name}`);
      changeOpen(false);
    } catch (error) {
      applyFieldErrors(error, setError, FIELDS, { accessToken: "secret", password: "secret", secretAccessKey: "secret" });
    }
  };

  const secretHint = registry ? "Leave empty to keep the stored one." : kind === "ECR" ? "With an access key id; leave both empty to use a role only." : undefined;
  const fieldError = FIELDS.some((field) => errors[field]) || errors.secret;

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        {registry ? (
          <Button variant="ghost" size="icon-sm" aria-label={`Edit registry ${registry.name}`} title="Edit registry">
            <PencilIcon aria-hidden />
          </Button>
        ) : (
          <Button>
            <PlusIcon aria-hidden />
            Add registry
          </Button>
        )}
      </DialogTrigger>
      <DialogContent className="sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>{registry ? `Edit ${registry.name}` : "Add a registry"}</DialogTitle>
          <DialogDescription>Secrets are stored encrypted and never shown again. Test the connection once saved.</DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={handleSubmit(onSubmit)} className="grid gap-4">
          {!fieldError ? <ErrorAlert error={saving.error} /> : null}
          <Field label="Kind" hint={registry ? "A registry's kind cannot change." : undefined}>
            {(control) => (
              <NativeSelect {...control} disabled={registry !== undefined} {...register("kind")}>
                {(Object.keys(KIND_LABEL) as Kind[]).map((value) => (
                  <option key={value} value={value}>
                    {KIND_LABEL[value]}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
          <Field label="Name" error={errors.name?.message}>
            {(control) => <Input {...control} autoComplete="off" {...register("name", { required: "Name the registry." })} />}
          </Field>
          {kind === "V2" ? (
            <Field label="URL" hint="https://registry.example.com or https://host:5000" error={errors.url?.message}>
              {(control) => <Input {...control} autoComplete="off" inputMode="url" {...register("url", { required: "Enter the registry's URL." })} />}
            </Field>
          ) : null}
          {kind === "ECR" ? (
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label="Region" hint="e.g. eu-west-1" error={errors.region?.message}>
                {(control) => <Input {...control} autoComplete="off" {...register("region", { required: "Enter the AWS region." })} />}
              </Field>
              <Field label="Account (registry id)" hint="12 digits" error={errors.awsRegistryId?.message}>
                {(control) => <Input {...control} autoComplete="off" inputMode="numeric" {...register("awsRegistryId", { required: "Enter the AWS account id." })} />}
              </Field>
              <Field label="Access key id (optional)" error={errors.accessKeyId?.message}>
                {(control) => <Input {...control} autoComplete="off" {...register("accessKeyId")} />}
              </Field>
              <Field label="Role to assume (optional)" hint="arn:aws:iam::…:role/…" error={errors.roleArn?.message}>
                {(control) => <Input {...control} autoComplete="off" {...register("roleArn")} />}
              </Field>
            </div>
          ) : (
            <Field label={kind === "DOCKER_HUB" ? "Docker Hub user" : "User (optional)"} error={errors.username?.message}>
              {(control) => <Input {...control} autoComplete="off" {...register("username", kind === "DOCKER_HUB" ? { required: "Enter the Docker Hub user." } : {})} />}
            </Field>
          )}
          <Field label={SECRET_LABEL[kind]} hint={secretHint} error={errors.secret?.message}>
            {(control) => <Input {...control} type="password" autoComplete="new-password" {...register("secret")} />}
          </Field>
          {kind === "V2" ? (
            <Field label="CA certificate (optional)" hint="PEM, when the registry's certificate is signed by your own CA." error={errors.caCert?.message}>
              {(control) => <Textarea {...control} rows={4} spellCheck={false} className="font-mono text-xs" {...register("caCert")} />}
            </Field>
          ) : null}
          <DialogFormFooter submitting={isSubmitting} label={registry ? "Save" : "Add registry"} />
        </form>
      </DialogContent>
    </Dialog>
  );
}
