import { ChevronDown } from "lucide-react";
import type { ComponentProps } from "react";

import { cn } from "~/lib/utils";

import { fieldClassName } from "./input";

/** A styled native <select>: fully keyboard and screen-reader friendly on every platform. */
export function NativeSelect({ className, ...props }: ComponentProps<"select">) {
  return (
    <div className="relative">
      <select data-slot="native-select" className={cn(fieldClassName, "h-9 appearance-none pr-9", className)} {...props} />
      <ChevronDown aria-hidden className="pointer-events-none absolute top-1/2 right-3 size-4 -translate-y-1/2 text-muted-foreground" />
    </div>
  );
}
