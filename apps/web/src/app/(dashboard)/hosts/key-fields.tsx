import type { UseFormRegisterReturn } from "react-hook-form";

import { Field } from "~/components/field";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";
import { Textarea } from "~/components/ui/textarea";

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
