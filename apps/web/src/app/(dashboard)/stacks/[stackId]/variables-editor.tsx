"use client";

import { envKey } from "@wharf/api/lib/compose-files";
import { LockIcon, PlusIcon, Trash2Icon, UndoIcon } from "lucide-react";

import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";

import { type DraftVariable, newId } from "./stack-draft";

function keyProblem(
  variable: DraftVariable,
  all: readonly DraftVariable[],
): string | null {
  const key = variable.key.trim();
  if (!key) return variable.value ? "Name the variable." : null;
  const parsed = envKey.safeParse(key);
  if (!parsed.success)
    return "Letters, digits and _, not starting with a digit.";
  if (all.some((other) => other.id !== variable.id && other.key.trim() === key))
    return `${key} is defined twice.`;
  return null;
}

/**
 * The stack's .env: plain variables and secrets. A saved secret's value never
 * reaches the browser: it shows as set, and can only be replaced or removed.
 */
export function VariablesEditor({
  variables,
  readOnly,
  onChange,
}: {
  variables: DraftVariable[];
  readOnly: boolean;
  onChange: (variables: DraftVariable[]) => void;
}) {
  const patch = (id: string, change: Partial<DraftVariable>): void =>
    onChange(
      variables.map((variable) =>
        variable.id === id ? { ...variable, ...change } : variable,
      ),
    );

  return (
    <section aria-labelledby="variables-heading" className="grid gap-4">
      <div className="grid gap-1">
        <h3 id="variables-heading" className="font-semibold">
          Variables
        </h3>
        <p className="text-sm text-muted-foreground">
          Written as the project&apos;s{" "}
          <code className="font-mono text-xs">.env</code>, which compose reads
          for <code className="font-mono text-xs">$&#123;NAME&#125;</code>{" "}
          interpolation. Secret values are encrypted at rest, redacted from
          previews and output, and never shown again.
        </p>
      </div>
      {variables.length === 0 ? (
        <p className="rounded-lg border border-dashed p-4 text-center text-sm text-muted-foreground">
          No variables yet.
        </p>
      ) : (
        <div role="table" aria-label="Variables" className="grid gap-2">
          <div
            role="row"
            className="hidden grid-cols-[minmax(0,14rem)_minmax(0,1fr)_6rem_2.25rem] gap-2 px-1 text-xs font-medium text-muted-foreground sm:grid"
          >
            <span role="columnheader">Name</span>
            <span role="columnheader">Value</span>
            <span role="columnheader">Secret</span>
            <span role="columnheader" className="sr-only">
              Remove
            </span>
          </div>
          {variables.map((variable, index) => {
            const problem = keyProblem(variable, variables);
            const name = variable.key.trim() || `variable ${index + 1}`;
            const hidden = variable.stored && !variable.replacing;
            return (
              <div
                role="row"
                key={variable.id}
                className="grid items-start gap-2 sm:grid-cols-[minmax(0,14rem)_minmax(0,1fr)_6rem_2.25rem]"
              >
                <div role="cell" className="grid gap-1">
                  <Input
                    aria-label={`Name of ${name}`}
                    value={variable.key}
                    onChange={(event) =>
                      patch(variable.id, { key: event.target.value })
                    }
                    readOnly={readOnly || variable.stored}
                    spellCheck={false}
                    autoComplete="off"
                    placeholder="NAME"
                    aria-invalid={Boolean(problem)}
                    className="h-8 font-mono text-xs"
                  />
                  {problem ? (
                    <p className="text-xs text-destructive">{problem}</p>
                  ) : null}
                </div>
                <div role="cell" className="flex items-center gap-1.5">
                  {hidden ? (
                    <>
                      <span className="flex h-8 flex-1 items-center gap-1.5 rounded-md border border-dashed px-3 text-xs text-muted-foreground">
                        <LockIcon aria-hidden className="size-3.5" />
                        <span aria-label="Secret value set">••• set</span>
                      </span>
                      {readOnly ? null : (
                        <Button
                          size="sm"
                          variant="outline"
                          onClick={() =>
                            patch(variable.id, { replacing: true, value: "" })
                          }
                        >
                          Replace
                        </Button>
                      )}
                    </>
                  ) : (
                    <>
                      <Input
                        aria-label={`Value of ${name}`}
                        type={variable.secret ? "password" : "text"}
                        value={variable.value}
                        onChange={(event) =>
                          patch(variable.id, { value: event.target.value })
                        }
                        readOnly={readOnly}
                        spellCheck={false}
                        autoComplete={variable.secret ? "new-password" : "off"}
                        placeholder={
                          variable.replacing ? "New secret value" : ""
                        }
                        className="h-8 flex-1 font-mono text-xs"
                      />
                      {variable.replacing ? (
                        <Button
                          size="icon-sm"
                          variant="ghost"
                          aria-label={`Keep the saved value of ${name}`}
                          title="Keep the saved value"
                          onClick={() =>
                            patch(variable.id, { replacing: false, value: "" })
                          }
                        >
                          <UndoIcon aria-hidden />
                        </Button>
                      ) : null}
                    </>
                  )}
                </div>
                <div role="cell" className="flex h-8 items-center">
                  <label className="flex items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      checked={variable.secret}
                      // A saved secret cannot turn plain: its value is not here to show.
                      disabled={readOnly || variable.stored}
                      onChange={(event) =>
                        patch(variable.id, { secret: event.target.checked })
                      }
                      className="size-4 accent-primary"
                      aria-label={`${name} is secret`}
                    />
                    <span aria-hidden>Secret</span>
                  </label>
                </div>
                <div role="cell">
                  {readOnly ? null : (
                    <Button
                      size="icon-sm"
                      variant="ghost"
                      aria-label={`Remove ${name}`}
                      onClick={() =>
                        onChange(
                          variables.filter((other) => other.id !== variable.id),
                        )
                      }
                    >
                      <Trash2Icon aria-hidden />
                    </Button>
                  )}
                </div>
              </div>
            );
          })}
        </div>
      )}
      {readOnly ? null : (
        <Button
          variant="outline"
          size="sm"
          className="w-fit"
          onClick={() =>
            onChange([
              ...variables,
              {
                id: newId("var"),
                key: "",
                value: "",
                secret: false,
                stored: false,
                replacing: false,
              },
            ])
          }
        >
          <PlusIcon aria-hidden />
          Add variable
        </Button>
      )}
    </section>
  );
}
