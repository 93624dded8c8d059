import { z } from "zod";

export const listContainersParams = z.object({ all: z.boolean().default(true) });
export const containerPort = z.object({
  privatePort: z.number().int(),
  publicPort: z.number().int().nullable(),
  ip: z.string().nullable(),
  type: z.string(),
});
export const containerSummary = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  command: z.string(),
  state: z.string(),
  status: z.string(),
  createdAt: z.string(),
  ports: z.array(containerPort),
  labels: z.record(z.string(), z.string()),
  composeProject: z.string().nullable(),
  composeService: z.string().nullable(),
});
export type ContainerSummary = z.infer<typeof containerSummary>;
export const listContainersResult = z.array(containerSummary);
