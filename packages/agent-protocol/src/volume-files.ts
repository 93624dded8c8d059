import { z } from "zod";

import { volumeName } from "./volume-actions";

/** The most a file view returns; a longer file is shown up to here and marked truncated. */
export const VOLUME_FILE_VIEW_LIMIT_BYTES = 1024 * 1024;
/** The most a download returns (it travels base64 in one answer); a larger file is refused. */
export const VOLUME_FILE_DOWNLOAD_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * A path inside a volume, relative to its root ("" is the root): "/"-separated
 * names, none of them "." or "..", no NUL. Checked again by the agent.
 */
export const volumePath = z
  .string()
  .max(4096)
  .transform((value) => value.replace(/^\/+|\/+$/g, ""))
  .refine((value) => !value.includes("\0"), "a path cannot contain a NUL byte")
  .refine((value) => value === "" || value.split("/").every((part) => part !== "" && part !== "." && part !== ".."), "a path inside a volume is names separated by /, without . or .. (it cannot leave the volume)");

export const volumeFileEntry = z.object({
  name: z.string(),
  type: z.enum(["file", "directory", "symlink", "other"]),
  /** Bytes of a file; for a directory, of the files beneath it (null when the page stopped inside it). */
  sizeBytes: z.number().nullable(),
  modifiedAt: z.string().nullable(),
  /** Permission bits, e.g. 0o644. */
  mode: z.number().int(),
  linkTarget: z.string().nullable(),
});
export type VolumeFileEntry = z.infer<typeof volumeFileEntry>;

/**
 * `browseVolume`: one page of a directory's entries in name order, read through
 * a helper container that mounts the volume read-only and is never started.
 * `after` is the previous page's `nextAfter`.
 */
export const browseVolumeParams = z.object({
  name: volumeName,
  path: volumePath.default(""),
  after: z.string().min(1).max(4096).optional(),
  limit: z.number().int().min(1).max(1000).default(200),
});
export type BrowseVolumeParams = z.input<typeof browseVolumeParams>;
export const browseVolumeResult = z.object({
  path: z.string(),
  entries: z.array(volumeFileEntry),
  /** Where the next page starts; null on the last page. */
  nextAfter: z.string().nullable(),
});
export type BrowseVolumeResult = z.infer<typeof browseVolumeResult>;

/**
 * `readVolumeFile`: a regular file's bytes, base64. `view` returns at most
 * VOLUME_FILE_VIEW_LIMIT_BYTES (truncated beyond); `download` refuses a file
 * larger than VOLUME_FILE_DOWNLOAD_LIMIT_BYTES.
 */
export const readVolumeFileParams = z.object({
  name: volumeName,
  path: volumePath.refine((value) => value !== "", "name a file inside the volume"),
  purpose: z.enum(["view", "download"]),
});
export type ReadVolumeFileParams = z.input<typeof readVolumeFileParams>;
export const readVolumeFileResult = z.object({
  path: z.string(),
  sizeBytes: z.number(),
  modifiedAt: z.string().nullable(),
  contentBase64: z.string(),
  truncated: z.boolean(),
  /** True when the bytes are not UTF-8 text (a NUL byte, or invalid UTF-8). */
  binary: z.boolean(),
});
export type ReadVolumeFileResult = z.infer<typeof readVolumeFileResult>;
