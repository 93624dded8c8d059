import { describe, expect, it } from "vitest";

import { durationSeconds, stopWaitNote } from "./stop-grace";

describe("stop grace periods", () => {
  it("reads compose durations", () => {
    expect(durationSeconds("1m30s")).toBe(90);
    expect(durationSeconds("500ms")).toBe(0.5);
    expect(durationSeconds(15)).toBe(15);
    expect(durationSeconds("soon")).toBeNull();
  });

  it("says how long a stop may wait, per service, later files overriding earlier ones", () => {
    const files = [
      { content: "services:\n  web:\n    image: x\n    stop_grace_period: 1s\n  worker:\n    image: x\n" },
      { content: "services:\n  worker:\n    stop_grace_period: 1m\n" },
    ];
    expect(stopWaitNote(files)).toBe(
      "Stopping waits up to 60 s for a container to exit after SIGTERM before Docker kills it (stop_grace_period: web 1 s, worker 60 s).",
    );
    expect(stopWaitNote(files, ["web"])).toBe("Stopping waits up to 1 s for a container to exit after SIGTERM before Docker kills it (stop_grace_period: web 1 s).");
    expect(stopWaitNote([{ content: "services:\n  db:\n    image: x\n" }])).toContain("up to 10 s");
  });
});
