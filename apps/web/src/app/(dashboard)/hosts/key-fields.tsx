import type { UseFormRegisterReturn, UseFormReturn } from "react-hook-form";

import { Field } from "~/components/field";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";
import { Textarea } from "~/components/ui/textarea";

/** The fields every host form has for its SSH key (keyMode: which of the choices is picked). */
export interface KeyChoiceValues {
  keyMode: string;
  savedKeyId: string;
  privateKey: string;
  passphrase: string;
}

/** The fields under the "saved" and "paste" choices of a host form's SSH key, with their checks. */
export function ChosenKeyFields<T extends KeyChoiceValues>({
  keyMode,
  keys,
  form,
}: {
  keyMode: string;
  keys: { id: string; name: string; fingerprint: string }[];
  form: UseFormReturn<T>;
}) {
  // Every T has these fields, but react-hook-form cannot name a generic form's paths.
  const { register, formState } = form as unknown as UseFormReturn<KeyChoiceValues>;
  if (keyMode === "saved") {
    return (
      <SavedKeyField
        keys={keys}
        error={formState.errors.savedKeyId?.message}
        registration={register("savedKeyId", { validate: (id, all) => all.keyMode !== "saved" || Boolean(id) || "Choose a key." })}
      />
    );
  }
  if (keyMode === "paste") {
    return (
      <PastedKeyFields
        errors={{ privateKey: formState.errors.privateKey?.message, passphrase: formState.errors.passphrase?.message }}
        privateKey={register("privateKey", { validate: (key, all) => all.keyMode !== "paste" || key.trim().length > 0 || "Paste the private key." })}
        passphrase={register("passphrase")}
      />
    );
  }
  return null;
}

/** The choice of a saved SSH key in a host form; `registration` is the form's own register("savedKeyId", …). */
export function SavedKeyField({
  keys,
  error,
  registration,
}: {
  keys: { id: string; name: string; fingerprint: string }[];
  error: string | undefined;
  registration: UseFormRegisterReturn;
}) {
  return (
    <Field label="Choose a key" error={error}>
      {(field) => (
        <NativeSelect {...field} {...registration}>
          <option value="">Select…</option>
          {keys.map((key) => (
            <option key={key.id} value={key.id}>
              {key.name} ({key.fingerprint.slice(0, 19)}…)
            </option>
          ))}
        </NativeSelect>
      )}
    </Field>
  );
}

/** A pasted private key and its passphrase in a host form. */
export function PastedKeyFields({
  errors,
  privateKey,
  passphrase,
}: {
  errors: { privateKey?: string | undefined; passphrase?: string | undefined };
  privateKey: UseFormRegisterReturn;
  passphrase: UseFormRegisterReturn;
}) {
  return (
    <>
      <Field label="Private key" hint="Starts with -----BEGIN OPENSSH PRIVATE KEY-----." error={errors.privateKey}>
        {(field) => <Textarea {...field} rows={5} spellCheck={false} autoComplete="off" className="font-mono text-xs" {...privateKey} />}
      </Field>
      <Field label="Passphrase (optional)" error={errors.passphrase}>
        {(field) => <Input {...field} type="password" autoComplete="off" {...passphrase} />}
      </Field>
    </>
  );
}
