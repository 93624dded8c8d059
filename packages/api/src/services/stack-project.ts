import type { ComposeProjectInput } from "@wharf/agent-protocol";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { type EnvEntry, envEntry, OVERLAY_PATH, type StackFile, stackFile } from "../lib/compose-files";
import { IMAGE_PINS_PATH, type ImagePin, renderImagePins } from "../lib/image-pins";
import { LIMITS_OVERRIDE_PATH, renderLimitsOverride, type StackLimits, stackLimits } from "../lib/limits-override";

/** Everything a revision holds, secrets opened: stays inside the service layer. */
export interface RevisionContent {
  files: StackFile[];
  env: EnvEntry[];
  secrets: Record<string, string>;
  limits: StackLimits;
}

const storedFiles = z.array(stackFile);
const storedEnv = z.array(envEntry);
const storedSecrets = z.record(z.string(), z.string());

/** Reads a revision's JSON columns back; a row that does not parse is a bug or a tampered database. */
function parseStored<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new WharfError("INTERNAL", `The stored ${what} of this revision is unreadable: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function publicContent(row: { files: unknown; env: unknown; limits: unknown }) {
  return {
    files: parseStored(storedFiles, row.files, "files"),
    env: parseStored(storedEnv, row.env, "env"),
    limits: parseStored(stackLimits, row.limits, "limits"),
  };
}

export function openSecrets(deps: WharfDeps, sealed: Uint8Array | null): Record<string, string> {
  if (sealed === null) return {};
  let text: string;
  try {
    text = deps.secrets.open(sealed);
  } catch {
    throw new WharfError(
      "PRECONDITION_FAILED",
      "The secret variables of this revision cannot be decrypted: Wharf's master key is not the one they were saved with. Restore that key, or save the secrets again.",
      "SECRETS_UNREADABLE",
    );
  }
  return parseStored(storedSecrets, JSON.parse(text), "secrets");
}

export function sealSecrets(deps: WharfDeps, secrets: Record<string, string>): Uint8Array<ArrayBuffer> | null {
  return Object.keys(secrets).length === 0 ? null : deps.secrets.seal(JSON.stringify(secrets));
}

export function revisionContent(deps: WharfDeps, row: { files: unknown; env: unknown; limits: unknown; secretsEnc: Uint8Array | null }): RevisionContent {
  return { ...publicContent(row), secrets: openSecrets(deps, row.secretsEnc) };
}

export type RedactedEnvEntry = {
  key: string;
  /** Null for a secret: only its name is ever shown. */
  value: string | null;
  secret: boolean;
};

export function redactedEnv(content: RevisionContent): RedactedEnvEntry[] {
  return [
    ...content.env.map((entry) => ({ key: entry.key, value: entry.value, secret: false })),
    ...Object.keys(content.secrets)
      .sort()
      .map((key) => ({ key, value: null, secret: true })),
  ];
}

export function secretValues(content: RevisionContent): string[] {
  return Object.values(content.secrets);
}

export interface BuiltProject {
  project: ComposeProjectInput;
  limitsOverride: string | null;
}

/** The compose project name a stack has on its hosts (the one place that decides it). */
export function projectNameOf(stackName: string): string {
  return stackName;
}

/**
 * The compose project for one host: the user's files as they are, the `.env`
 * with every variable, then the host's overlay, the generated limits
 * override and (rollback) the image pins as the last `-f` files.
 */
export function buildProject(stackName: string, content: RevisionContent, overlay: string | null, pins: readonly ImagePin[] = []): BuiltProject {
  const limitsOverride = renderLimitsOverride(content.limits);
  const imagePins = renderImagePins(pins);
  const variables = [...content.env, ...Object.entries(content.secrets).map(([key, value]) => ({ key, value }))];
  return {
    project: {
      name: projectNameOf(stackName),
      files: content.files,
      ...(variables.length > 0 ? { env: variables } : {}),
      overrideFiles: [
        ...(overlay !== null && overlay.trim() !== "" ? [{ path: OVERLAY_PATH, content: overlay }] : []),
        ...(limitsOverride !== null ? [{ path: LIMITS_OVERRIDE_PATH, content: limitsOverride }] : []),
        ...(imagePins !== null ? [{ path: IMAGE_PINS_PATH, content: imagePins }] : []),
      ],
    },
    limitsOverride,
  };
}
