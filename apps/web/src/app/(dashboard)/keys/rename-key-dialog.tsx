"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { PencilIcon } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";

import { DialogFormFooter } from "~/components/dialog-form-footer";
import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { applyFieldErrors } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

import type { KeyRow } from "./keys-view";

/** A key added with a host is named after it ("h1 key"): once hosts share it, it deserves its own name. */
export function RenameKeyDialog({ credential }: { credential: KeyRow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const rename = useMutation(trpc.credential.rename.mutationOptions());
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<{ name: string }>({ values: { name: credential.name } });

  const changeOpen = (next: boolean): void => {
    setOpen(next);
    if (!next) {
      reset();
      rename.reset();
    }
  };

  const onSubmit = async ({ name }: { name: string }): Promise<void> => {
    try {
      const renamed = await rename.mutateAsync({ credentialId: credential.id, name });
      await queryClient.invalidateQueries(trpc.credential.list.queryFilter());
      toast.success(`Renamed ${credential.name} to ${renamed.name}`);
      setOpen(false);
    } catch (error) {
      applyFieldErrors(error, setError, ["name"]);
    }
  };

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        <Button variant="ghost" size="icon-sm" aria-label={`Rename key ${credential.name}`} title="Rename key" className="text-muted-foreground">
          <PencilIcon aria-hidden />
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Rename {credential.name}</DialogTitle>
          <DialogDescription>Only the name changes: hosts using this key keep using it.</DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={handleSubmit(onSubmit)} className="grid gap-4">
          {!errors.name ? <ErrorAlert error={rename.error} /> : null}
          <Field label="Name" error={errors.name?.message}>
            {(control) => <Input {...control} autoComplete="off" {...register("name", { required: "Name the key." })} />}
          </Field>
          <DialogFormFooter submitting={isSubmitting} label="Rename" />
        </form>
      </DialogContent>
    </Dialog>
  );
}
