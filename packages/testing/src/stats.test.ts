import { describe, expect, it } from "vitest";

import { median, percentile } from "./stats";

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
