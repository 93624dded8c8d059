"use client";

import {
  AlertTriangleIcon,
  CpuIcon,
  GaugeIcon,
  type LucideIcon,
  MemoryStickIcon,
  ShieldIcon,
  SparklesIcon,
} from "lucide-react";
import type { ReactNode } from "react";

import { Field, type FieldControlProps } from "~/components/field";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";
import {
  hostLimitWarnings,
  type LimitsErrors,
  type LimitsField,
  type LimitsFormValues,
  type TargetCapabilities,
} from "~/lib/limits-form";
import { cn } from "~/lib/utils";

import { emptyLimits } from "./stack-draft";

function Group({
  title,
  icon: Icon,
  description,
  children,
}: {
  title: string;
  icon: LucideIcon;
  description: string;
  children: ReactNode;
}) {
  return (
    <fieldset className="grid gap-3 rounded-lg border p-4">
      <legend className="flex items-center gap-2 px-1 text-sm font-semibold">
        <Icon aria-hidden className="size-4 text-muted-foreground" />
        {title}
      </legend>
      <p className="-mt-1 text-xs text-muted-foreground">{description}</p>
      <div className="grid gap-4 sm:grid-cols-2">{children}</div>
    </fieldset>
  );
}

const SUGGESTED_CAPS = ["SYS_NICE", "IPC_LOCK", "NET_ADMIN", "SYS_PTRACE"];

const ULIMIT_EXAMPLES = {
  rtprio: { soft: "99", hard: "99" },
  memlock: { soft: "unlimited", hard: "unlimited" },
  nofile: { soft: "1024", hard: "65536" },
} as const;

/**
 * Runtime limits as first-class fields per service. Wharf renders them into
 * a generated override passed as the last `-f`, so they win over the files.
 */
export function LimitsEditor({
  services,
  limits,
  errors,
  selected,
  readOnly,
  onSelect,
  onChange,
  hosts,
}: {
  hosts: TargetCapabilities[];
  services: string[];
  limits: Record<string, LimitsFormValues>;
  errors: Record<string, LimitsErrors>;
  selected: string | null;
  readOnly: boolean;
  onSelect: (service: string) => void;
  onChange: (service: string, values: LimitsFormValues | null) => void;
}) {
  const all = [...new Set([...services, ...Object.keys(limits)])].sort();
  const service =
    selected && all.includes(selected) ? selected : (all[0] ?? null);
  const values = service ? (limits[service] ?? emptyLimits()) : null;
  const fieldErrors = service ? (errors[service] ?? {}) : {};

  // A render function for <Field>, bound to one form field of the selected service.
  const input =
    (
      field: LimitsField,
      props: {
        placeholder?: string;
        inputMode?: "numeric" | "decimal" | "text";
      } = {},
    ) =>
    (control: FieldControlProps) => (
      <Input
        {...control}
        value={values?.[field] ?? ""}
        onChange={(event) =>
          service &&
          values &&
          onChange(service, { ...values, [field]: event.target.value })
        }
        readOnly={readOnly}
        spellCheck={false}
        autoComplete="off"
        className="font-mono text-sm"
        {...props}
      />
    );

  const addCap = (field: "capAdd" | "capDrop", cap: string): void => {
    if (!service || !values) return;
    const current = values[field].split(/[\s,]+/).filter(Boolean);
    if (!current.includes(cap))
      onChange(service, { ...values, [field]: [...current, cap].join(", ") });
  };

  return (
    <section aria-labelledby="limits-heading" className="grid gap-4">
      <div className="grid gap-1">
        <h3 id="limits-heading" className="font-semibold">
          Runtime limits
        </h3>
        <p className="text-sm text-muted-foreground">
          Rendered into{" "}
          <code className="font-mono text-xs">wharf.limits.yaml</code>, passed
          as the last <code className="font-mono text-xs">-f</code>. Preflight
          checks each target host can grant them before a deploy.
        </p>
      </div>
      {all.length === 0 || !service || !values ? (
        <p className="rounded-lg border border-dashed p-4 text-center text-sm text-muted-foreground">
          Define services in the compose files first.
        </p>
      ) : (
        <>
          {hostLimitWarnings(values, hosts).length > 0 ? (
            <Alert variant="warning">
              <AlertTriangleIcon aria-hidden />
              <AlertTitle>Preflight will refuse these limits for {service}</AlertTitle>
              <AlertDescription className="text-foreground/80">
                <ul className="list-disc space-y-1 pl-4">
                  {hostLimitWarnings(values, hosts).map((warning) => (
                    <li key={warning}>{warning}</li>
                  ))}
                </ul>
              </AlertDescription>
            </Alert>
          ) : null}
          <div
            role="group"
            aria-label="Service"
            className="flex flex-wrap gap-1.5"
          >
            {all.map((name) => {
              const set = Object.keys(limits).includes(name);
              const broken = Object.keys(errors[name] ?? {}).length > 0;
              return (
                <Button
                  key={name}
                  size="sm"
                  variant={name === service ? "default" : "outline"}
                  aria-pressed={name === service}
                  onClick={() => onSelect(name)}
                  className="font-mono"
                >
                  {name}
                  {set ? (
                    <>
                      <span
                        aria-hidden
                        className={cn(
                          "size-1.5 rounded-full",
                          broken ? "bg-destructive" : "bg-success",
                        )}
                      />
                      <span className="sr-only">
                        {broken ? "(has problems)" : "(has limits)"}
                      </span>
                    </>
                  ) : null}
                  {!services.includes(name) ? (
                    <Badge variant="warning">not in files</Badge>
                  ) : null}
                </Button>
              );
            })}
          </div>

          <Group
            title="Memory"
            icon={MemoryStickIcon}
            description="Sizes in powers of 1024: 512m, 1.5g, 2GiB. The reservation is a soft floor Docker tries to keep."
          >
            <Field
              label="Memory limit"
              hint="deploy.resources.limits.memory; at least 6m."
              error={fieldErrors.memory}
            >
              {input("memory", { placeholder: "e.g. 512m" })}
            </Field>
            <Field
              label="Memory reservation"
              hint="deploy.resources.reservations.memory; at most the limit."
              error={fieldErrors.memoryReservation}
            >
              {input("memoryReservation", { placeholder: "e.g. 256m" })}
            </Field>
          </Group>

          <Group
            title="CPU"
            icon={CpuIcon}
            description="CPU time and which cores the containers may run on."
          >
            <Field
              label="CPUs"
              hint="Fraction of CPUs, e.g. 0.5 or 2; at most the host's."
              error={fieldErrors.cpus}
            >
              {input("cpus", { placeholder: "e.g. 1.5", inputMode: "decimal" })}
            </Field>
            <Field
              label="cpuset"
              hint="Cores to pin to: 0-3 or 0,2,4-5."
              error={fieldErrors.cpuset}
            >
              {input("cpuset", { placeholder: "e.g. 0-1" })}
            </Field>
            <Field
              label="cpu_rt_runtime (µs)"
              hint="Real-time CPU time per period; needs a kernel with RT group scheduling."
              error={fieldErrors.cpuRtRuntime}
            >
              {input("cpuRtRuntime", {
                placeholder: "e.g. 95000",
                inputMode: "numeric",
              })}
            </Field>
            <Field
              label="cpu_rt_period (µs)"
              hint="Default 1000000; needs a runtime."
              error={fieldErrors.cpuRtPeriod}
            >
              {input("cpuRtPeriod", {
                placeholder: "e.g. 1000000",
                inputMode: "numeric",
              })}
            </Field>
          </Group>

          <Group
            title="GPUs"
            icon={SparklesIcon}
            description="Reserved through the NVIDIA runtime (deploy.resources.reservations.devices)."
          >
            <Field label="GPU request" error={undefined}>
              {(control) => (
                <NativeSelect
                  {...control}
                  value={values.gpuMode}
                  disabled={readOnly}
                  onChange={(event) =>
                    onChange(service, {
                      ...values,
                      gpuMode: event.target
                        .value as LimitsFormValues["gpuMode"],
                    })
                  }
                >
                  <option value="none">No GPUs</option>
                  <option value="count">A number of GPUs</option>
                  <option value="all">All GPUs</option>
                  <option value="ids">Specific devices</option>
                </NativeSelect>
              )}
            </Field>
            {values.gpuMode === "count" ? (
              <Field label="GPU count" error={fieldErrors.gpuCount}>
                {input("gpuCount", {
                  placeholder: "e.g. 1",
                  inputMode: "numeric",
                })}
              </Field>
            ) : null}
            {values.gpuMode === "ids" ? (
              <Field
                label="Device ids"
                hint="Comma-separated: 0, 1 or GPU-uuid."
                error={fieldErrors.gpuDeviceIds}
              >
                {input("gpuDeviceIds", { placeholder: "e.g. 0, 1" })}
              </Field>
            ) : null}
            {values.gpuMode !== "none" ? (
              <Field
                label="Capabilities"
                hint="Default gpu; e.g. gpu, compute, utility."
                error={fieldErrors.gpuCapabilities}
              >
                {input("gpuCapabilities", { placeholder: "e.g. gpu" })}
              </Field>
            ) : null}
          </Group>

          <Group
            title="ulimits"
            icon={GaugeIcon}
            description="Soft and hard limits; a number or unlimited. One alone sets both."
          >
            {(["rtprio", "memlock", "nofile"] as const).map((name) => (
              <div
                key={name}
                className="grid grid-cols-2 gap-2 sm:col-span-2 sm:grid-cols-[7rem_1fr_1fr] sm:items-end"
              >
                <span className="col-span-2 font-mono text-sm font-medium sm:col-span-1 sm:pb-2">
                  {name}
                </span>
                <Field
                  label={`${name} soft`}
                  error={fieldErrors[`${name}Soft`]}
                >
                  {input(`${name}Soft`, {
                    placeholder: values[`${name}Hard`].trim()
                      ? "same as hard"
                      : `e.g. ${ULIMIT_EXAMPLES[name].soft}`,
                  })}
                </Field>
                <Field
                  label={`${name} hard`}
                  error={fieldErrors[`${name}Hard`]}
                >
                  {input(`${name}Hard`, {
                    // One value alone sets both: say so where the other would go.
                    placeholder: values[`${name}Soft`].trim()
                      ? "same as soft"
                      : `e.g. ${ULIMIT_EXAMPLES[name].hard}`,
                  })}
                </Field>
              </div>
            ))}
          </Group>

          <Group
            title="Capabilities"
            icon={ShieldIcon}
            description="Linux capabilities to add to or drop from Docker's default set; CAP_ is optional."
          >
            {(["capAdd", "capDrop"] as const).map((field) => (
              <div key={field} className="grid content-start gap-2">
                <Field
                  label={field === "capAdd" ? "cap_add" : "cap_drop"}
                  hint="Comma-separated, e.g. SYS_NICE, IPC_LOCK."
                  error={fieldErrors[field]}
                >
                  {input(field, {
                    placeholder:
                      field === "capAdd" ? "e.g. SYS_NICE" : "e.g. NET_RAW",
                  })}
                </Field>
                {readOnly ? null : (
                  <div className="flex flex-wrap gap-1">
                    {SUGGESTED_CAPS.map((cap) => (
                      <Button
                        key={cap}
                        size="sm"
                        variant="ghost"
                        className="h-6 px-2 font-mono text-xs"
                        onClick={() => addCap(field, cap)}
                      >
                        + {cap}
                      </Button>
                    ))}
                  </div>
                )}
              </div>
            ))}
          </Group>

          {readOnly ? null : (
            <Button
              variant="outline"
              size="sm"
              className="w-fit"
              onClick={() => onChange(service, null)}
            >
              Clear the limits of {service}
            </Button>
          )}
        </>
      )}
    </section>
  );
}
