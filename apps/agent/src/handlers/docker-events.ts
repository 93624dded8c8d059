import type { Readable } from "node:stream";

import type { DockerEvent } from "@wharf/agent-protocol";
import { z } from "zod";

import type { StreamHandler } from "./context";

const dockerEventLine = z.object({
  Type: z.string(),
  Action: z.string(),
  Actor: z.object({ ID: z.string(), Attributes: z.record(z.string(), z.string()).nullish() }),
  time: z.number(),
  timeNano: z.number().nullish(),
});

/**
 * Docker's event stream. The response headers go out once Docker has accepted
 * the subscription, so a client that has them will not miss a later event.
 */
export const dockerEvents: StreamHandler<"dockerEvents"> = async (_params, ctx) => {
  // dockerode hands back the HTTP response itself, typed as the old stream interface.
  const stream = (await ctx.docker.getEvents({ abortSignal: ctx.signal })) as Readable;
  return {
    kind: "lines",
    stream,
    parseLine: (line) => {
      const event = parseDockerEvent(line);
      if (event === null) ctx.log.warn("skipped an unreadable docker event", { line: line.slice(0, 200) });
      return event;
    },
  };
};

/** One line of `GET /events`; `time` becomes milliseconds since the epoch. */
export function parseDockerEvent(line: string): DockerEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = dockerEventLine.safeParse(json);
  if (!parsed.success) return null;
  const event = parsed.data;
  return {
    type: event.Type,
    action: event.Action,
    actorId: event.Actor.ID,
    attributes: event.Actor.Attributes ?? {},
    time: event.timeNano ? Math.floor(event.timeNano / 1e6) : event.time * 1000,
  };
}
