import { z } from "zod";

/** host[:port] of a registry as image references name it. */
export const registryAddress = z
  .string()
  .max(255)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$/, "a registry address is host[:port]");

/**
 * Credentials for one registry, sent with the one call that needs them
 * (push, a compose pull/up/build): the agent never keeps them after it.
 */
export const registryAuth = z.object({
  serverAddress: registryAddress,
  username: z.string().min(1).max(512),
  password: z.string().min(1).max(16_384),
});
export type RegistryAuth = z.infer<typeof registryAuth>;

export const registryAuths = z.array(registryAuth).max(20);
