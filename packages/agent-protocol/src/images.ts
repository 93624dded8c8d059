import { z } from "zod";

export const listImagesParams = z.object({});
export const imageSummary = z.object({
  id: z.string(),
  repoTags: z.array(z.string()),
  repoDigests: z.array(z.string()),
  sizeBytes: z.number(),
  createdAt: z.string(),
  containers: z.number().int(),
});
export type ImageSummary = z.infer<typeof imageSummary>;
export const listImagesResult = z.array(imageSummary);
