"use client";

import { RadioGroup as RadioGroupPrimitive } from "radix-ui";
import type { ComponentProps, ReactNode } from "react";

import { cn } from "~/lib/utils";

export function RadioGroup({ className, ...props }: ComponentProps<typeof RadioGroupPrimitive.Root>) {
  return <RadioGroupPrimitive.Root data-slot="radio-group" className={cn("grid gap-2", className)} {...props} />;
}

/**
 * A whole-card radio option: the card itself is the radio. Its accessible name
 * is the title alone; the description is announced as its description.
 */
export function RadioCard({
  className,
  id,
  title,
  description,
  ...props
}: Omit<ComponentProps<typeof RadioGroupPrimitive.Item>, "title" | "children"> & { id: string; title: ReactNode; description: ReactNode }) {
  return (
    <RadioGroupPrimitive.Item
      id={id}
      aria-describedby={`${id}-description`}
      data-slot="radio-card"
      className={cn(
        "group flex w-full items-start gap-3 rounded-lg border p-3 text-left text-sm transition-colors outline-none hover:bg-accent/60 focus-visible:ring-[3px] focus-visible:ring-ring/50 disabled:cursor-not-allowed disabled:opacity-60 data-[state=checked]:border-primary data-[state=checked]:bg-accent/60",
        className,
      )}
      {...props}
    >
      <span className="mt-0.5 flex size-4 shrink-0 items-center justify-center rounded-full border border-input shadow-xs group-data-[state=checked]:border-primary">
        <RadioGroupPrimitive.Indicator className="size-2 rounded-full bg-primary" />
      </span>
      <span className="grid gap-1">
        <span className="font-medium">{title}</span>
        {/* Hidden from the name (it is the description, via aria-describedby). */}
        <span id={`${id}-description`} aria-hidden className="text-muted-foreground">
          {description}
        </span>
      </span>
    </RadioGroupPrimitive.Item>
  );
}
