"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { WEBHOOK_EVENTS, WEBHOOK_FORMATS } from "@wharf/api/lib/webhook-events";
import { PlusIcon } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { CopyButton } from "~/components/copy-button";
import { DialogFormFooter } from "~/components/dialog-form-footer";
import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { Button } from "~/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { Label } from "~/components/ui/label";
import { NativeSelect } from "~/components/ui/native-select";
import { applyFieldErrors } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

import { EVENT_LABELS, FORMAT_LABELS } from "./webhook-labels";

interface FormValues {
  name: string;
  url: string;
  format: (typeof WEBHOOK_FORMATS)[number];
  events: string[];
}

export function CreateWebhookDialog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation(trpc.webhook.create.mutationOptions());
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<FormValues>({ defaultValues: { name: "", url: "", format: "standard", events: ["deployment.succeeded", "deployment.failed"] } });

  const changeOpen = (next: boolean): void => {
    setOpen(next);
    if (!next) {
      reset();
      setSecret(null);
      create.reset();
    }
  };

  const onSubmit = async (values: FormValues): Promise<void> => {
    try {
      const created = await create.mutateAsync({ ...values, events: values.events as (typeof WEBHOOK_EVENTS)[number][] });
      setSecret(created.secret);
      await queryClient.invalidateQueries(trpc.webhook.list.queryFilter());
    } catch (error) {
      applyFieldErrors(error, setError, ["name", "url", "events"]);
    }
  };

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        <Button>
          <PlusIcon aria-hidden />
          Add webhook
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{secret ? "Webhook added" : "Add a webhook"}</DialogTitle>
          <DialogDescription>
            {secret
              ? "Copy the signing secret now: Wharf shows it only this once. Receivers check each request's webhook-signature with it."
              : "Wharf posts the chosen events to this URL, signed per the Standard Webhooks spec, retrying for a day when it fails."}
          </DialogDescription>
        </DialogHeader>
        {secret ? (
          <>
            <div className="grid gap-2">
              <div className="flex items-center justify-between gap-2">
                <Label htmlFor="webhook-secret">Signing secret</Label>
                <CopyButton value={secret} label="Copy signing secret">
                  Copy
                </CopyButton>
              </div>
              <Input id="webhook-secret" readOnly value={secret} className="font-mono text-xs" />
            </div>
            <DialogFooter>
              <DialogClose asChild>
                <Button>Done</Button>
              </DialogClose>
            </DialogFooter>
          </>
        ) : (
          <form onSubmit={(event) => void handleSubmit(onSubmit)(event)} className="grid gap-4" noValidate>
            {!errors.name && !errors.url && !errors.events ? <ErrorAlert error={create.error} /> : null}
            <Field label="Name" error={errors.name?.message}>
              {(control) => <Input {...control} {...register("name", { required: "Name the target." })} placeholder="ci-notifications" />}
            </Field>
            <Field label="URL" hint="Private and loopback addresses are refused unless the team allows them (below)." error={errors.url?.message}>
              {(control) => <Input {...control} {...register("url", { required: "Enter the URL." })} placeholder="https://hooks.example.com/wharf" inputMode="url" />}
            </Field>
            <Field label="Format" hint="Slack and Discord: a message their incoming webhooks understand.">
              {(control) => (
                <NativeSelect {...control} {...register("format")}>
                  {WEBHOOK_FORMATS.map((format) => (
                    <option key={format} value={format}>
                      {FORMAT_LABELS[format]}
                    </option>
                  ))}
                </NativeSelect>
              )}
            </Field>
            <fieldset className="grid gap-2" aria-describedby={errors.events ? "webhook-events-error" : undefined}>
              <legend className="mb-1 text-sm font-medium">Events</legend>
              {WEBHOOK_EVENTS.map((event) => (
                <label key={event} className="flex items-center gap-2 text-sm">
                  <input type="checkbox" value={event} className="size-4" {...register("events", { validate: (value) => value.length > 0 || "Choose at least one event." })} />
                  {EVENT_LABELS[event]}
                </label>
              ))}
              {errors.events ? (
                <p id="webhook-events-error" className="text-sm text-destructive">
                  {errors.events.message}
                </p>
              ) : null}
            </fieldset>
            <DialogFormFooter submitting={isSubmitting} label="Add webhook" />
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
