"use client";

import { RadioGroup as RadioGroupPrimitive } from "radix-ui";
import type { ComponentProps, ReactNode } from "react";

import { cn } from "~/lib/utils";

export function RadioGroup({ className, ...props }: ComponentProps<typeof RadioGroupPrimitive.Root>) {
  return <RadioGroupPrimitive.Root data-slot="radio-group" className={cn("grid gap-2", className)} {...props} />;
}

/**
 * A whole-card radio option. The label holds only the title (a short accessible
 * name), stretched over the card so a click anywhere selects it; the
 * description is announced as the radio's description.
 */
export function RadioCard({
  className,
  id,
  title,
  description,
  ...props
}: Omit<ComponentProps<typeof RadioGroupPrimitive.Item>, "title" | "children"> & { id: string; title: ReactNode; description: ReactNode }) {
  return (
    <div
      className={cn(
        "relative flex items-start gap-3 rounded-lg border p-3 transition-colors hover:bg-accent/60 has-[[data-state=checked]]:border-primary has-[[data-state=checked]]:bg-accent/60 has-focus-visible:ring-[3px] has-focus-visible:ring-ring/50 has-disabled:cursor-not-allowed has-disabled:opacity-60",
        className,
      )}
    >
      <RadioGroupPrimitive.Item
        id={id}
        aria-describedby={`${id}-description`}
        data-slot="radio-group-item"
        className="relative z-10 mt-0.5 flex aspect-square size-4 shrink-0 items-center justify-center rounded-full border border-input shadow-xs outline-none data-[state=checked]:border-primary"
        {...props}
      >
        <RadioGroupPrimitive.Indicator className="size-2 rounded-full bg-primary" />
      </RadioGroupPrimitive.Item>
      <div className="grid gap-1 text-sm">
        <label htmlFor={id} className="cursor-pointer font-medium after:absolute after:inset-0 after:content-['']">
          {title}
        </label>
        <p id={`${id}-description`} className="text-muted-foreground">
          {description}
        </p>
      </div>
    </div>
  );
}
