import { describe, expect, it } from "vitest";

import { BURST_LINES, BURST_RENDER_MS, renderDue } from "./log-pacing";

describe("renderDue", () => {
  it("renders a trickle of lines on every frame", () => {
    expect(renderDue({ now: 16, renderedAt: 0, linesSinceRender: 10, arrivedSinceFrame: 10 })).toBe(true);
  });

  it("spaces renders out while a burst goes on", () => {
    expect(renderDue({ now: 16, renderedAt: 0, linesSinceRender: BURST_LINES, arrivedSinceFrame: 1_000 })).toBe(false);
    expect(renderDue({ now: BURST_RENDER_MS, renderedAt: 0, linesSinceRender: BURST_LINES, arrivedSinceFrame: 1_000 })).toBe(true);
  });

  it("renders the end of a burst on the first frame nothing new arrived", () => {
    expect(renderDue({ now: 16, renderedAt: 0, linesSinceRender: 50_000, arrivedSinceFrame: 0 })).toBe(true);
  });
});
