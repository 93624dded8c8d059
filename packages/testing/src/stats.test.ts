import { describe, expect, it } from "vitest";

import { median, percentile, slope } from "./stats";

describe("percentile", () => {
  it("takes the nearest rank, whatever the order", () => {
    const values = [5, 1, 4, 2, 3, 10, 6, 9, 8, 7];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
    expect(median([3, 1, 2])).toBe(2);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("slope", () => {
  it("fits a line through noisy samples, and is flat for one sample or one x", () => {
    const samples = [0, 1, 2, 3, 4].map((x) => ({ x, y: 40 + 2 * x + (x % 2 === 0 ? 0.5 : -0.5) }));
    expect(slope(samples)).toBeCloseTo(2, 5);
    expect(slope([{ x: 1, y: 5 }])).toBe(0);
    expect(slope([{ x: 1, y: 5 }, { x: 1, y: 7 }])).toBe(0);
  });
});
