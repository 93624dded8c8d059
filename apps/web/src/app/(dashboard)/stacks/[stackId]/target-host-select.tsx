import type { ComponentProps } from "react";

import { NativeSelect } from "~/components/ui/native-select";

import type { StackDetail } from "./stack-draft";

/** A choice among the stack's target hosts, by id; label it where it is used. */
export function TargetHostSelect({
  targets,
  value,
  onValueChange,
  ...props
}: { targets: StackDetail["targets"]; value: string; onValueChange: (hostId: string) => void } & Omit<ComponentProps<typeof NativeSelect>, "value" | "onChange" | "children">) {
  return (
    <NativeSelect value={value} onChange={(event) => onValueChange(event.target.value)} {...props}>
      {targets.map((target) => (
        <option key={target.host.id} value={target.host.id}>
          {target.host.name}
        </option>
      ))}
    </NativeSelect>
  );
}
