import { describe, expect, it } from "vitest";

import { PushProgress } from "./push-progress";

describe("PushProgress", () => {
  it("says each layer's state once, with its size, and counts the skipped ones", () => {
    const progress = new PushProgress();
    const lines = [
      progress.line({ kind: "layer", id: "a1", state: "preparing" }),
      progress.line({ kind: "layer", id: "b2", state: "exists" }),
      progress.line({ kind: "layer", id: "a1", state: "pushing", currentBytes: 100, totalBytes: 2048 }),
      progress.line({ kind: "layer", id: "a1", state: "pushing", currentBytes: 2048, totalBytes: 2048 }),
      progress.line({ kind: "layer", id: "a1", state: "pushed" }),
    ].filter((line) => line !== null);
    expect(lines).toEqual(["Layer b2: already in the registry, skipped.", "Layer a1: pushing (2 KiB)…", "Layer a1: pushed (2 KiB)."]);
    expect(progress.summary()).toBe("2 layer(s): 1 pushed, 1 already in the registry.");
  });
});
