import { z } from "zod";

export const helloParams = z.object({});
export const helloResult = z.object({
  agentVersion: z.string(),
  protocolVersion: z.number().int(),
  pid: z.number().int(),
  startedAt: z.string(),
  socketPath: z.string(),
});
export type HelloResult = z.infer<typeof helloResult>;
