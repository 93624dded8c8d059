import type { DockerEvent } from "@wharf/agent-protocol";
import type { Host } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { openAgentStream } from "./hosts";

export const dockerEventsInput = z.object({
  /** Only events of these object types (container, image, volume, network...); all when absent. */
  types: z.array(z.string().regex(/^[a-z]{1,32}$/, "a type is a word such as container or network")).max(10).optional(),
});

/** A host's Docker events as they happen, for the live timeline. */
export async function openDockerEvents(deps: WharfDeps, host: Host, input: z.infer<typeof dockerEventsInput>, signal?: AbortSignal): Promise<AsyncGenerator<DockerEvent, void, undefined>> {
  const events = await openAgentStream(deps, host, "dockerEvents", {}, signal ? { signal } : {});
  const types = input.types ? new Set(input.types) : null;
  return (async function* filtered() {
    for await (const event of events) if (!types || types.has(event.type)) yield event;
  })();
}
