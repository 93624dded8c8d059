import type {
  ServiceLimits,
  StackLimits,
} from "@wharf/api/lib/limits-override";

import {
  EMPTY_LIMITS,
  FORM_ULIMITS,
  formToLimits,
  type LimitsErrors,
  type LimitsFormValues,
  limitsToForm,
} from "~/lib/limits-form";
import type { RouterOutputs } from "~/trpc/react";

export type StackDetail = RouterOutputs["stack"]["byId"];
export type Revision = NonNullable<StackDetail["latestRevision"]>;

export interface DraftFile {
  /** Stable while the path is renamed: React keys and editor identity. */
  id: string;
  path: string;
  content: string;
}

export interface DraftVariable {
  id: string;
  key: string;
  /** For a stored secret: empty keeps the saved value, anything else replaces it. */
  value: string;
  secret: boolean;
  /** A secret the latest revision holds: its value never comes to the browser. */
  stored: boolean;
  /** A stored secret whose value the user is replacing. */
  replacing: boolean;
}

/** One file of the stack's folder besides its compose files. */
export interface DraftFolderFile {
  id: string;
  path: string;
  size: number;
  executable: boolean;
  secret: boolean;
  /** The saved content's hash (null for a secret file, kept by path, and for new content). */
  sha256: string | null;
  /** New content, base64; absent while the saved content is kept. */
  content?: string;
}

export interface StackDraft {
  files: DraftFile[];
  /** The rest of the stack's folder: Dockerfiles, sources, config, env and secret files. */
  folder: DraftFolderFile[];
  variables: DraftVariable[];
  /** Per service, as the form edits them. */
  limits: Record<string, LimitsFormValues>;
  /** The saved limits: ulimits the form has no field for are kept from here. */
  savedLimits: StackLimits;
}

let nextId = 0;
export const newId = (prefix: string): string => `${prefix}-${++nextId}`;

/** What a new stack's first file starts with. */
const STARTER = `services:
  web:
    image: nginx:alpine
    ports:
      - "8080:80"
`;

/** `previous` lends its file ids by path, so the file open in the editor stays open across a reload. */
export function draftFromRevision(revision: Revision | null, previous?: StackDraft): StackDraft {
  if (!revision) {
    return {
      files: [
        { id: newId("file"), path: "docker-compose.yaml", content: STARTER },
      ],
      folder: [],
      variables: [],
      limits: {},
      savedLimits: {},
    };
  }
  return {
    files: revision.files.map((file) => ({ id: previous?.files.find((old) => old.path === file.path)?.id ?? newId("file"), ...file })),
    folder: revision.tree.map((file) => ({
      id: previous?.folder.find((old) => old.path === file.path)?.id ?? newId("folder"),
      path: file.path,
      size: file.size,
      executable: file.executable,
      secret: file.secret,
      sha256: file.sha256,
    })),
    variables: [
      ...revision.env.map((entry) => ({
        id: newId("var"),
        key: entry.key,
        value: entry.value,
        secret: false,
        stored: false,
        replacing: false,
      })),
      ...revision.secretNames.map((key) => ({
        id: newId("var"),
        key,
        value: "",
        secret: true,
        stored: true,
        replacing: false,
      })),
    ],
    limits: Object.fromEntries(
      Object.entries(revision.limits).map(([service, limits]) => [
        service,
        limitsToForm(limits),
      ]),
    ),
    savedLimits: revision.limits,
  };
}

function otherUlimits(
  limits: ServiceLimits | undefined,
): ServiceLimits["ulimits"] {
  return Object.fromEntries(
    Object.entries(limits?.ulimits ?? {}).filter(
      ([name]) => !(FORM_ULIMITS as readonly string[]).includes(name),
    ),
  );
}

export interface RevisionInput {
  files: { path: string; content: string }[];
  env: { key: string; value: string }[];
  secrets: { key: string; value?: string }[];
  limits: StackLimits;
  tree: { path: string; executable: boolean; secret: boolean; content?: string; sha256?: string }[];
}

/** The draft as saveRevision / previewDraft take it, and the limits form's problems by service. */
export function draftToInput(draft: StackDraft): {
  input: RevisionInput;
  limitErrors: Record<string, LimitsErrors>;
} {
  const limitErrors: Record<string, LimitsErrors> = {};
  const limits: StackLimits = {};
  for (const [service, values] of Object.entries(draft.limits)) {
    const result = formToLimits(
      values,
      otherUlimits(draft.savedLimits[service]),
    );
    if (Object.keys(result.errors).length > 0)
      limitErrors[service] = result.errors;
    if (Object.keys(result.limits).length > 0) limits[service] = result.limits;
  }
  const variables = draft.variables.filter(
    (variable) => variable.key.trim() !== "",
  );
  return {
    input: {
      files: draft.files.map(({ path, content }) => ({ path, content })),
      env: variables
        .filter((variable) => !variable.secret)
        .map(({ key, value }) => ({ key: key.trim(), value })),
      // A stored secret left alone goes without its value: the server keeps the one it has.
      secrets: variables
        .filter((variable) => variable.secret)
        .map((variable) =>
          variable.stored && !variable.replacing
            ? { key: variable.key }
            : { key: variable.key.trim(), value: variable.value },
        ),
      limits,
      // Unchanged content goes by its hash (a secret file by its path): only new content is uploaded.
      tree: draft.folder.map(({ path, executable, secret, sha256, content }) =>
        content !== undefined ? { path, executable, secret, content } : sha256 !== null ? { path, executable, secret, sha256 } : { path, executable, secret },
      ),
    },
    limitErrors,
  };
}

/** Comparable text of a draft: ids and untouched empty limit forms do not count as changes. */
export function draftFingerprint(draft: StackDraft): string {
  const { input } = draftToInput(draft);
  return JSON.stringify(input);
}

export function emptyLimits(): LimitsFormValues {
  return { ...EMPTY_LIMITS };
}
