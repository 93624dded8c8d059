/**
 * The one set of size limits of a compose project, shared by the control
 * plane (checked when a revision, an overlay or a target is saved) and the
 * agent (its contracts and its request body cap): a revision that saves can
 * always be sent, with its generated files and the request around it.
 * Plain values only (no zod): the agent's compose supervisor imports this
 * module alone (`@wharf/agent-protocol/limits`) to start fast.
 */

const KIB = 1024;
const MIB = 1024 * KIB;

/** The agent refuses request bodies larger than this. */
export const MAX_REQUEST_BODY_BYTES = 8 * MIB;
/** The user's compose files of a revision. */
export const MAX_COMPOSE_FILES = 20;
/** Characters of one compose file. */
export const MAX_COMPOSE_FILE_BYTES = 256 * KIB;
/** Generated files passed after the user's: per-host overlay, limits override, image pins. */
export const MAX_OVERRIDE_FILES = 4;
/** One generated file, JSON-encoded as sent. */
export const MAX_OVERRIDE_FILE_BYTES = 256 * KIB;
/** Variables of a project's `.env`: plain and secret together. */
export const MAX_ENV_VARIABLES = 400;
/** Characters of one variable's value. */
export const MAX_ENV_VALUE_BYTES = 64 * KIB;
/** Room for the request around a project: method, host label, JSON punctuation. */
const ENVELOPE_BYTES = 16 * KIB;
/** A project as sent, generated files included. */
export const MAX_PROJECT_BYTES = MAX_REQUEST_BODY_BYTES - ENVELOPE_BYTES;
/**
 * What a revision's request (its files, variables, limits override and
 * preflight limits) may take when saved: the rest is kept for the files only
 * known per host and per job, the overlay and the image pins.
 */
export const MAX_REVISION_REQUEST_BYTES = MAX_PROJECT_BYTES - 2 * MAX_OVERRIDE_FILE_BYTES;

/** Lines longer than this are split; a line of compose output is never longer than this many characters. */
export const MAX_OUTPUT_LINE = 16 * 1024;
/** Files of a stack's tree, compose files not counted. */
export const MAX_TREE_FILES = 1000;
/** Bytes of one file of the tree. */
export const MAX_TREE_FILE_BYTES = 5 * MIB;
/** Bytes of the whole tree. */
export const MAX_TREE_BYTES = 50 * MIB;
/** Decoded bytes of blobs in one composeTreePut request (base64 grows them by a third; the rest is room for the envelope). */
export const MAX_TREE_PUT_BYTES = Math.floor(((MAX_REQUEST_BODY_BYTES - 64 * 1024) * 3) / 4);

/** Bytes of `value` once JSON-encoded (UTF-8), as it travels to the agent. */
export function wireBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

export function formatSize(bytes: number): string {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${Math.ceil(bytes / KIB)} KiB`;
}
