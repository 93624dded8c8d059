"use client";

import { Input } from "~/components/ui/input";
import { Textarea } from "~/components/ui/textarea";

export interface BuildOptionsValue {
  target: string;
  /** KEY=value, one a line. */
  args: string;
  noCache: boolean;
  pull: boolean;
}

export const NO_BUILD_OPTIONS: BuildOptionsValue = { target: "", args: "", noCache: false, pull: false };

/** The options as the deployment API takes them (the server checks names and values again). */
export function buildOptionsInput(value: BuildOptionsValue) {
  const args = Object.fromEntries(
    value.args
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => {
        const at = line.indexOf("=");
        return at < 0 ? [line, ""] : [line.slice(0, at).trim(), line.slice(at + 1)];
      }),
  );
  return {
    ...(value.target.trim() ? { target: value.target.trim() } : {}),
    ...(Object.keys(args).length > 0 ? { buildArgs: args } : {}),
    ...(value.noCache ? { noCache: true } : {}),
    ...(value.pull ? { pull: true } : {}),
  };
}

/** Options of a Build: target stage, build args, no cache, pull newer base images. */
export function BuildOptions({ hostName, value, onChange }: { hostName: string; value: BuildOptionsValue; onChange: (next: BuildOptionsValue) => void }) {
  return (
    <details className="w-full text-sm">
      <summary className="cursor-pointer text-muted-foreground">Build options</summary>
      <div className="mt-2 grid gap-2 sm:grid-cols-2">
        <label className="grid gap-1 text-xs">
          Target stage (optional)
          <Input value={value.target} onChange={(event) => onChange({ ...value, target: event.target.value })} aria-label={`Target stage on ${hostName}`} className="h-8" />
        </label>
        <label className="grid gap-1 text-xs">
          Build args, KEY=value one a line
          <Textarea value={value.args} onChange={(event) => onChange({ ...value, args: event.target.value })} aria-label={`Build args on ${hostName}`} rows={2} className="font-mono text-xs" />
        </label>
        <label className="flex items-center gap-2 text-xs">
          <input type="checkbox" checked={value.noCache} onChange={(event) => onChange({ ...value, noCache: event.target.checked })} />
          No cache: build every step again
        </label>
        <label className="flex items-center gap-2 text-xs">
          <input type="checkbox" checked={value.pull} onChange={(event) => onChange({ ...value, pull: event.target.checked })} />
          Pull newer base images first
        </label>
      </div>
    </details>
  );
}
