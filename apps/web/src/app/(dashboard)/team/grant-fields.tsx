"use client";

import type { Role } from "@wharf/db";
import { useId } from "react";

import { Field } from "~/components/field";
import { NativeSelect } from "~/components/ui/native-select";

export const ROLE_OPTIONS: { value: Role; label: string; hint: string }[] = [
  {
    value: "VIEWER",
    label: "Viewer",
    hint: "Sees hosts, stacks, jobs and the audit trail.",
  },
  {
    value: "DEPLOYER",
    label: "Deployer",
    hint: "Also deploys, stops and rolls back stacks, reads logs and merged configs.",
  },
  {
    value: "ADMIN",
    label: "Admin",
    hint: "Also edits stacks, hosts, keys, environments and members.",
  },
  {
    value: "OWNER",
    label: "Owner",
    hint: "Everything, for the whole team, including ownership.",
  },
];

export const roleLabel = (role: string): string =>
  role.charAt(0) + role.slice(1).toLowerCase();

export interface Grant {
  role: Role;
  /** null: the whole team. */
  environmentIds: string[] | null;
}

/** The role and where it applies: the whole team, or only some environments (viewer rights elsewhere). */
export function GrantFields({
  grant,
  onChange,
  environments,
  canGrantOwner,
}: {
  grant: Grant;
  onChange: (grant: Grant) => void;
  environments: { id: string; name: string }[];
  canGrantOwner: boolean;
}) {
  const id = useId();
  const scoped = grant.environmentIds !== null;
  const options = ROLE_OPTIONS.filter(
    (option) => canGrantOwner || option.value !== "OWNER",
  );
  const toggle = (environmentId: string, checked: boolean) => {
    const current = grant.environmentIds ?? [];
    onChange({
      ...grant,
      environmentIds: checked
        ? [...current, environmentId]
        : current.filter((e) => e !== environmentId),
    });
  };
  return (
    <div className="grid gap-4">
      <Field
        label="Role"
        hint={ROLE_OPTIONS.find((option) => option.value === grant.role)?.hint}
      >
        {(control) => (
          <NativeSelect
            {...control}
            value={grant.role}
            onChange={(event) => {
              const role = event.target.value as Role;
              onChange({
                role,
                environmentIds: role === "OWNER" ? null : grant.environmentIds,
              });
            }}
          >
            {options.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </NativeSelect>
        )}
      </Field>
      {grant.role === "OWNER" || grant.role === "VIEWER" ? null : (
        <fieldset className="grid gap-2">
          <legend className="mb-2 text-sm font-medium">Applies to</legend>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name={`${id}-scope`}
              checked={!scoped}
              onChange={() => onChange({ ...grant, environmentIds: null })}
              className="accent-primary"
            />
            The whole team
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name={`${id}-scope`}
              checked={scoped}
              onChange={() => onChange({ ...grant, environmentIds: [] })}
              className="accent-primary"
            />
            Only these environments (viewer rights elsewhere)
          </label>
          {scoped ? (
            <div className="ml-6 grid gap-1.5">
              {environments.map((environment) => (
                <label
                  key={environment.id}
                  className="flex items-center gap-2 text-sm"
                >
                  <input
                    type="checkbox"
                    checked={
                      grant.environmentIds?.includes(environment.id) ?? false
                    }
                    onChange={(event) =>
                      toggle(environment.id, event.target.checked)
                    }
                    className="size-4 accent-primary"
                  />
                  <span className="font-mono text-xs">{environment.name}</span>
                </label>
              ))}
            </div>
          ) : null}
        </fieldset>
      )}
    </div>
  );
}
