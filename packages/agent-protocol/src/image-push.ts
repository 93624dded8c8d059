import { z } from "zod";

import { registryAddress, registryAuth } from "./registry-auth";

const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";

/** A repository in a registry: host[:port]/path, as the distribution reference grammar spells it. */
export const imageRepository = z
  .string()
  .max(255)
  .refine((value) => {
    const slash = value.indexOf("/");
    if (slash < 1) return false;
    return registryAddress.safeParse(value.slice(0, slash)).success && new RegExp(`^${pathComponent}(?:/${pathComponent})*$`).test(value.slice(slash + 1));
  }, "a repository is registry-host[:port]/name (lower-case name components separated by /)");

export const imageTag = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "a tag is 1-128 characters of A-Z, a-z, 0-9, _, . and - (not starting with . or -)");

/** A local image: its id (sha256:...) or a reference (name[:tag] or name@digest). */
export const localImage = z
  .string()
  .max(512)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/@-]*$/, "name a local image by id or reference");

/**
 * `imagePush` (stream): tags a local image as repository:tag and pushes it
 * with the given credentials (sent as this one request's X-Registry-Auth;
 * nothing is stored on the host).
 */
export const imagePushParams = z.object({
  image: localImage,
  repository: imageRepository,
  tag: imageTag,
  auth: registryAuth.optional(),
});
export type ImagePushParams = z.input<typeof imagePushParams>;

/** One `data` frame: a layer's progress, then either `pushed` or `failed` last. */
export const imagePushData = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("layer"),
    id: z.string(),
    /** `exists`: the registry already has it (skipped); `mounted`: taken from another repository there. */
    state: z.enum(["preparing", "waiting", "pushing", "pushed", "exists", "mounted"]),
    currentBytes: z.number().nonnegative().optional(),
    totalBytes: z.number().nonnegative().optional(),
  }),
  z.object({ kind: z.literal("pushed"), tag: z.string(), digest: z.string(), sizeBytes: z.number().int().nonnegative() }),
  z.object({ kind: z.literal("failed"), message: z.string() }),
]);
export type ImagePushData = z.infer<typeof imagePushData>;
