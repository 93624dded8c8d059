"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { UploadIcon } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";

import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { Button } from "~/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { Textarea } from "~/components/ui/textarea";
import { applyFieldErrors } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

interface ImportValues {
  name: string;
  privateKey: string;
  passphrase: string;
}

const EMPTY: ImportValues = { name: "", privateKey: "", passphrase: "" };

import { DialogFormFooter } from "~/components/dialog-form-footer";

export function ImportKeyDialog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const importKey = useMutation(trpc.credential.import.mutationOptions());
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<ImportValues>({ defaultValues: EMPTY });

  const changeOpen = (next: boolean): void => {
    setOpen(next);
    if (!next) {
      reset(EMPTY);
      importKey.reset();
    }
  };

  const onSubmit = async (values: ImportValues): Promise<void> => {
    try {
      const key = await importKey.mutateAsync({
        name: values.name,
        privateKey: values.privateKey,
        ...(values.passphrase ? { passphrase: values.passphrase } : {}),
      });
      await queryClient.invalidateQueries(trpc.credential.list.queryFilter());
      toast.success(`Imported ${key.name}`);
      changeOpen(false);
    } catch (error) {
      applyFieldErrors(error, setError, ["name", "privateKey", "passphrase"]);
    }
  };

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        <Button variant="outline">
          <UploadIcon aria-hidden />
          Import key
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>Import a private key</DialogTitle>
          <DialogDescription>For hosts that already trust a key of yours. Wharf stores it, and its passphrase, encrypted.</DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={handleSubmit(onSubmit)} className="grid gap-4">
          {!errors.name && !errors.privateKey && !errors.passphrase ? <ErrorAlert error={importKey.error} /> : null}
          <Field label="Name" error={errors.name?.message}>
            {(control) => <Input {...control} autoComplete="off" {...register("name", { required: "Name the key." })} />}
          </Field>
          <Field label="Private key" hint="Starts with -----BEGIN OPENSSH PRIVATE KEY-----." error={errors.privateKey?.message}>
            {(control) => (
              <Textarea
                {...control}
                rows={6}
                spellCheck={false}
                autoComplete="off"
                className="font-mono text-xs"
                {...register("privateKey", { required: "Paste the private key." })}
              />
            )}
          </Field>
          <Field label="Passphrase (optional)" error={errors.passphrase?.message}>
            {(control) => <Input {...control} type="password" autoComplete="off" {...register("passphrase")} />}
          </Field>
          <DialogFormFooter submitting={isSubmitting} label="Import" />
        </form>
      </DialogContent>
    </Dialog>
  );
}
