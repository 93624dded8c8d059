import { z } from "zod";

import { composeProjectRef } from "./compose-project";

/** `composeImageDigests`: the images the project's containers actually run, to record with a deployment. */
export const composeImageDigestsParams = composeProjectRef;

export const composeServiceImage = z.object({
  service: z.string(),
  /** The reference the service asked for, e.g. "registry.example.com/app:1.2". */
  image: z.string(),
  /** The image the containers were created from ("sha256:..."). */
  imageId: z.string(),
  /** Registry digests of that image; empty for images built or loaded locally. */
  repoDigests: z.array(z.string()),
  /** Names of the containers running it. */
  containers: z.array(z.string()),
});
export type ComposeServiceImage = z.infer<typeof composeServiceImage>;

/** One entry per service and image (two while a service is half rolled over), sorted by service. */
export const composeImageDigestsResult = z.object({ images: z.array(composeServiceImage) });
export type ComposeImageDigestsResult = z.infer<typeof composeImageDigestsResult>;
