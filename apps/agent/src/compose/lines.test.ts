import { describe, expect, it } from "vitest";

import { LineSplitter } from "./lines";

describe("LineSplitter", () => {
  it("joins lines split across chunks and keeps empty lines", () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push(Buffer.from("one\ntw"))).toEqual(["one"]);
    expect(splitter.push(Buffer.from("o\n\nthree"))).toEqual(["two", ""]);
    expect(splitter.end()).toEqual(["three"]);
    expect(splitter.end()).toEqual([]);
  });

  it("does not cut a multi-byte character split across chunks", () => {
    const splitter = new LineSplitter(100);
    const bytes = Buffer.from("héllo\n");
    expect(splitter.push(bytes.subarray(0, 2))).toEqual([]);
    expect(splitter.push(bytes.subarray(2))).toEqual(["héllo"]);
  });

  it("splits lines longer than the cap, also before their newline arrives", () => {
    const splitter = new LineSplitter(4);
    expect(splitter.push(Buffer.from("abcdefghij\nxy"))).toEqual(["abcd", "efgh", "ij"]);
    expect(splitter.push(Buffer.from("zabcdef"))).toEqual(["xyza", "bcde"]);
    expect(splitter.end()).toEqual(["f"]);
  });
});
