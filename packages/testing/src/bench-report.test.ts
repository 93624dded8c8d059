import { describe, expect, it } from "vitest";

import { figureMet, renderFigureTable } from "./bench-report";

describe("bench report", () => {
  it("judges max and min targets and leaves untargeted figures unjudged", () => {
    expect(figureMet({ part: "p", name: "ratio", value: 1.04, unit: "x", target: { max: 1.05 } })).toBe(true);
    expect(figureMet({ part: "p", name: "ratio", value: 1.06, unit: "x", target: { max: 1.05 } })).toBe(false);
    expect(figureMet({ part: "p", name: "rps", value: 900, unit: "req/s", target: { min: 1000 } })).toBe(false);
    expect(figureMet({ part: "p", name: "raw", value: 660, unit: "ms" })).toBeNull();
  });

  it("renders one aligned row per figure with its verdict", () => {
    const table = renderFigureTable([
      { part: "stacks", name: "deploy vs raw", value: 1.14, unit: "x", target: { max: 1.05 } },
      { part: "footprint", name: "agent idle RSS", value: 41.5, unit: "MiB", target: { max: 50 } },
    ]);
    const lines = table.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^stacks\s+deploy vs raw\s+1\.14x\s+<= 1\.05x\s+NOT MET$/);
    expect(lines[3]).toMatch(/^footprint\s+agent idle RSS\s+41\.5 MiB\s+<= 50\.0 MiB\s+met$/);
  });
});
