"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { PlusIcon } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { DialogFormFooter } from "~/components/dialog-form-footer";
import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { ShownOnceSecret } from "~/components/shown-once-secret";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { applyFieldErrors } from "~/lib/errors";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

type Generated = RouterOutputs["credential"]["generate"];

export function GenerateKeyDialog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [generated, setGenerated] = useState<Generated | null>(null);
  const generate = useMutation(trpc.credential.generate.mutationOptions());
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<{ name: string }>({ defaultValues: { name: "" } });

  const changeOpen = (next: boolean): void => {
    setOpen(next);
    if (!next) {
      reset();
      setGenerated(null);
      generate.reset();
    }
  };

  const onSubmit = async ({ name }: { name: string }): Promise<void> => {
    try {
      setGenerated(await generate.mutateAsync({ name }));
      await queryClient.invalidateQueries(trpc.credential.list.queryFilter());
    } catch (error) {
      applyFieldErrors(error, setError, ["name"]);
    }
  };

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        <Button>
          <PlusIcon aria-hidden />
          Generate key
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{generated ? "Key generated" : "Generate an SSH key"}</DialogTitle>
          <DialogDescription>
            {generated
              ? "Add the public key to each host that Wharf should reach with it."
              : "Wharf creates an ed25519 key pair and keeps the private half encrypted."}
          </DialogDescription>
        </DialogHeader>
        {generated ? (
          <ShownOnceSecret id="new-public-key" label="Public key" value={generated.publicKey} multiline done>
            <p className="text-sm text-muted-foreground">
              Append it to <code className="font-mono text-xs text-foreground">~/.ssh/authorized_keys</code> of the user Wharf signs in as on each
              host.
            </p>
            <p className="text-xs text-muted-foreground">
              Fingerprint <span className="font-mono">{generated.fingerprint}</span>
            </p>
          </ShownOnceSecret>
        ) : (
          <form noValidate onSubmit={handleSubmit(onSubmit)} className="grid gap-4">
            {!errors.name ? <ErrorAlert error={generate.error} /> : null}
            <Field label="Name" hint="For you to recognise it, e.g. production or ci." error={errors.name?.message}>
              {(control) => <Input {...control} autoComplete="off" {...register("name", { required: "Name the key." })} />}
            </Field>
            <DialogFormFooter submitting={isSubmitting} label="Generate" />
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
