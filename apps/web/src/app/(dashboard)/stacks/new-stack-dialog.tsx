"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertCircleIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";

import { Field } from "~/components/field";
import { HostPicker } from "~/components/host-picker";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { Textarea } from "~/components/ui/textarea";
import { applyFieldErrors, errorMessage } from "~/lib/errors";
import { stackNameProblem } from "~/lib/stack-name";
import { useTRPC } from "~/trpc/react";

interface NewStack {
  name: string;
  description: string;
  hostIds: string[];
}

const EMPTY: NewStack = { name: "", description: "", hostIds: [] };

export function NewStackDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [failure, setFailure] = useState<string | null>(null);
  const create = useMutation(trpc.stack.create.mutationOptions());
  // Validates as the user types, so the DNS rules show before submitting.
  const { register, handleSubmit, control, setError, reset, formState } =
    useForm<NewStack>({ defaultValues: EMPTY, mode: "onChange" });

  const changeOpen = (next: boolean): void => {
    if (create.isPending) return;
    onOpenChange(next);
    if (!next) {
      reset(EMPTY);
      setFailure(null);
    }
  };

  const onSubmit = async (values: NewStack): Promise<void> => {
    setFailure(null);
    try {
      const stack = await create.mutateAsync({
        name: values.name,
        description: values.description,
        targets: values.hostIds.map((hostId) => ({ hostId, overlay: null })),
      });
      await queryClient.invalidateQueries(trpc.stack.list.queryFilter());
      router.push(`/stacks/${stack.id}`);
      onOpenChange(false);
    } catch (error) {
      if (
        !applyFieldErrors(error, setError, ["name", "description"], {
          targets: "hostIds",
        })
      )
        setFailure(errorMessage(error));
    }
  };

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>New stack</DialogTitle>
          <DialogDescription>
            Name it and pick where it runs; its compose files come next.
          </DialogDescription>
        </DialogHeader>
        {failure ? (
          <Alert variant="destructive">
            <AlertCircleIcon aria-hidden />
            <AlertTitle>The stack could not be created</AlertTitle>
            <AlertDescription>{failure}</AlertDescription>
          </Alert>
        ) : null}
        <form
          id="new-stack"
          noValidate
          onSubmit={handleSubmit(onSubmit)}
          className="grid gap-4"
        >
          <Field
            label="Name"
            hint="Lowercase letters, digits and dashes, like a DNS label; also the compose project name on every host."
            error={formState.errors.name?.message}
          >
            {(field) => (
              <Input
                {...field}
                autoComplete="off"
                spellCheck={false}
                autoFocus
                placeholder="shop"
                {...register("name", {
                  validate: (name) => stackNameProblem(name) ?? true,
                })}
              />
            )}
          </Field>
          <Field
            label="Description (optional)"
            error={formState.errors.description?.message}
          >
            {(field) => (
              <Textarea
                {...field}
                rows={2}
                {...register("description", {
                  maxLength: {
                    value: 1000,
                    message: "At most 1,000 characters.",
                  },
                })}
              />
            )}
          </Field>
          <Controller
            control={control}
            name="hostIds"
            render={({ field, fieldState }) => (
              <HostPicker
                value={field.value}
                onChange={field.onChange}
                error={fieldState.error?.message}
                hint="You can change the hosts later."
              />
            )}
          />
        </form>
        <DialogFooter>
          <Button
            variant="outline"
            onClick={() => changeOpen(false)}
            disabled={create.isPending}
          >
            Cancel
          </Button>
          <Button type="submit" form="new-stack" disabled={create.isPending}>
            {create.isPending ? <Spinner /> : null}
            {create.isPending ? "Creating…" : "Create stack"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
