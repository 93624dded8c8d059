import { z } from "zod";

export const listNetworksParams = z.object({});
export const networkSummary = z.object({
  id: z.string(),
  name: z.string(),
  driver: z.string(),
  scope: z.string(),
  internal: z.boolean(),
  subnets: z.array(z.string()),
  createdAt: z.string(),
});
export type NetworkSummary = z.infer<typeof networkSummary>;
export const listNetworksResult = z.array(networkSummary);
