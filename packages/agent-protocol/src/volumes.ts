import { z } from "zod";

export const listVolumesParams = z.object({});
export const volumeSummary = z.object({
  name: z.string(),
  driver: z.string(),
  mountpoint: z.string(),
  scope: z.string(),
  createdAt: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
});
export type VolumeSummary = z.infer<typeof volumeSummary>;
export const listVolumesResult = z.array(volumeSummary);
