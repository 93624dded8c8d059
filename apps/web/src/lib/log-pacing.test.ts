import { describe, expect, it } from "vitest";

import { BURST_LINES, BURST_QUIET_MS, BURST_RENDER_MS, renderDue } from "./log-pacing";

describe("renderDue", () => {
  it("renders a trickle of lines on every frame", () => {
    expect(renderDue({ now: 16, renderedAt: 0, linesSinceRender: 10, arrivedAt: 10 })).toBe(true);
  });

  it("spaces renders out while a burst goes on", () => {
    expect(renderDue({ now: 16, renderedAt: 0, linesSinceRender: BURST_LINES, arrivedAt: 15 })).toBe(false);
    expect(renderDue({ now: BURST_RENDER_MS, renderedAt: 0, linesSinceRender: BURST_LINES, arrivedAt: BURST_RENDER_MS - 1 })).toBe(true);
  });

  it("renders the end of a burst once nothing arrived for a moment, before the next spaced render", () => {
    expect(renderDue({ now: 50, renderedAt: 40, linesSinceRender: 50_000, arrivedAt: 50 - BURST_QUIET_MS })).toBe(true);
    expect(renderDue({ now: 50, renderedAt: 40, linesSinceRender: 50_000, arrivedAt: 50 - BURST_QUIET_MS + 1 })).toBe(false);
  });
});
