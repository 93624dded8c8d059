import { z } from "zod";

import { composeProjectName, sha256Hex } from "./compose-project";
import { MAX_TREE_FILES } from "./limits";

/**
 * A stack is a folder: besides its compose files, a project carries a tree of
 * other files (Dockerfiles, sources, config and secret files) named by path,
 * content hash and mode. The content travels apart from the project, once per
 * distinct blob: the agent keeps the blobs of each project in its state
 * directory, the control plane asks which ones it lacks (composeTreeHave) and
 * sends only those (composeTreePut), then every compose call names the tree
 * and the agent writes it from its blobs.
 */

/** `composeTreeHave`: which of these blobs the agent holds for the project (the rest must be sent before the project is used). */
export const composeTreeHaveParams = z.object({
  name: composeProjectName,
  sha256: z.array(sha256Hex).max(MAX_TREE_FILES),
});
export const composeTreeHaveResult = z.object({
  missing: z.array(sha256Hex),
});
export type ComposeTreeHaveResult = z.infer<typeof composeTreeHaveResult>;

/** `composeTreePut`: blobs for the project, base64; the agent checks each hash before it keeps the blob. */
export const composeTreePutParams = z.object({
  name: composeProjectName,
  blobs: z
    .array(z.object({ sha256: sha256Hex, data: z.base64() }))
    .min(1)
    .max(MAX_TREE_FILES),
});
export const composeTreePutResult = z.object({
  stored: z.number().int().nonnegative(),
});
export type ComposeTreePutResult = z.infer<typeof composeTreePutResult>;
