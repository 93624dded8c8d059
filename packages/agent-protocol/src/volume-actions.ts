import { z } from "zod";

/** Docker's own volume-name alphabet; nothing that reads as a path or an option. */
export const volumeName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/, "a volume name is 1-255 characters of a-z, A-Z, 0-9, _, . and -, starting with a letter or digit");

const labels = z.record(z.string().min(1).max(255), z.string().max(4096)).refine((value) => Object.keys(value).length <= 100, "at most 100 labels");

/** `volumeUsage`: per volume, its size (null when Docker did not measure it) and the containers mounting it. */
export const volumeUsageParams = z.object({});
export const volumeUsageEntry = z.object({
  name: z.string(),
  sizeBytes: z.number().nullable(),
  containers: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type VolumeUsageEntry = z.infer<typeof volumeUsageEntry>;
export const volumeUsageResult = z.array(volumeUsageEntry);

/** `createVolume`: CONFLICT when the name is taken. */
export const createVolumeParams = z.object({
  name: volumeName,
  driver: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_./:-]{0,127}$/, "a driver is a plugin name such as local").default("local"),
  driverOptions: z.record(z.string().min(1).max(255), z.string().max(4096)).default({}),
  labels: labels.default({}),
});
export type CreateVolumeParams = z.input<typeof createVolumeParams>;
export const createVolumeResult = z.object({ name: z.string(), driver: z.string() });

/** `removeVolume`: CONFLICT, naming the containers, while any container (running or not) uses it. */
export const removeVolumeParams = z.object({ name: volumeName });
export const removeVolumeResult = z.object({ name: z.string() });

/** `pruneVolumes`: removes the volumes no container uses (only those with `label`, when given); `dryRun` only says which would go and their size. */
export const pruneVolumesParams = z.object({
  dryRun: z.boolean().default(false),
  /** "key" or "key=value", as Docker's label filter takes it. */
  label: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}(=[^\s,]{0,256})?$/, "a label filter is key or key=value").optional(),
});
export const pruneVolumesResult = z.object({
  volumes: z.array(z.object({ name: z.string(), sizeBytes: z.number().nullable() })),
  /** What the removal gave back, as Docker counts it (the sizes above, summed, for a dry run). */
  spaceReclaimedBytes: z.number(),
});
export type PruneVolumesResult = z.infer<typeof pruneVolumesResult>;
