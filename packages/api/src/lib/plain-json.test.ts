import superjson, { type SuperJSONResult } from "superjson";
import { describe, expect, it } from "vitest";

import { forwardLogBatches } from "../services/stack-logs";
import { transformer } from "../trpc";
import { plainJson } from "./plain-json";

async function* batches() {
  await Promise.resolve();
  yield { service: "web", container: "app-web-1", containerId: "c1", lines: [{ stream: "stdout" as const, at: "2024-05-01T10:00:00.000000001Z", line: "héllo \u2028 \"quoted\"" }] };
}

describe("the API's output transformer", () => {
  it("sends a log event as it is, as superjson would have sent it", async () => {
    const events = [];
    for await (const event of forwardLogBatches(batches(), null)) events.push(event);
    const event = events[0];
    const sent = transformer.output.serialize(event);
    // Not walked nor copied: the event itself goes to JSON.stringify.
    expect(sent.json).toBe(event);
    expect(JSON.stringify(sent)).toBe(JSON.stringify(superjson.serialize(event)));
    expect(transformer.output.deserialize(JSON.parse(JSON.stringify(sent)) as SuperJSONResult)).toEqual(event);
  });

  it("still annotates what JSON cannot carry", () => {
    const at = new Date("2024-05-01T10:00:00Z");
    const sent = transformer.output.serialize({ at, tags: new Set(["a"]) });
    expect(sent.meta).toBeDefined();
    expect(transformer.output.deserialize(JSON.parse(JSON.stringify(sent)) as SuperJSONResult)).toEqual({ at, tags: new Set(["a"]) });
  });

  it("walks an unmarked copy of a marked object", () => {
    const marked = plainJson({ name: "a" });
    const copy = { ...marked };
    expect(transformer.output.serialize(copy).json).not.toBe(copy);
    expect(transformer.output.serialize(marked).json).toBe(marked);
  });
});
