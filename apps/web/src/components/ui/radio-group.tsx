"use client";

import { RadioGroup as RadioGroupPrimitive } from "radix-ui";
import type { ComponentProps } from "react";

import { cn } from "~/lib/utils";

export function RadioGroup({ className, ...props }: ComponentProps<typeof RadioGroupPrimitive.Root>) {
  return <RadioGroupPrimitive.Root data-slot="radio-group" className={cn("grid gap-2", className)} {...props} />;
}

/** A whole-card radio option: the card is the label, so clicking anywhere selects it. */
export function RadioCard({ className, children, id, ...props }: ComponentProps<typeof RadioGroupPrimitive.Item> & { id: string }) {
  return (
    <label
      htmlFor={id}
      className={cn(
        "flex cursor-pointer items-start gap-3 rounded-lg border p-3 transition-colors hover:bg-accent/60 has-[[data-state=checked]]:border-primary has-[[data-state=checked]]:bg-accent/60 has-focus-visible:ring-[3px] has-focus-visible:ring-ring/50",
        className,
      )}
    >
      <RadioGroupPrimitive.Item
        id={id}
        data-slot="radio-group-item"
        className="mt-0.5 flex aspect-square size-4 shrink-0 items-center justify-center rounded-full border border-input shadow-xs outline-none data-[state=checked]:border-primary"
        {...props}
      >
        <RadioGroupPrimitive.Indicator className="size-2 rounded-full bg-primary" />
      </RadioGroupPrimitive.Item>
      <span className="grid gap-1 text-sm">{children}</span>
    </label>
  );
}
