import { describe, expect, it } from "vitest";

import { browseVolumeParams, readVolumeFileParams, volumePath } from "./volume-files";

describe("volumePath", () => {
  it("takes names separated by /, the leading and trailing / dropped", () => {
    expect(volumePath.parse("")).toBe("");
    expect(volumePath.parse("/")).toBe("");
    expect(volumePath.parse("/conf/app.ini")).toBe("conf/app.ini");
    expect(volumePath.parse("conf/")).toBe("conf");
    expect(volumePath.parse("with space/..hidden/ünïcode")).toBe("with space/..hidden/ünïcode");
  });

  it.each(["..", "../etc", "a/../../b", "./a", "a/./b", "a//b", "a/\0b", "/../"])("refuses %j, which could leave the volume or mean something else", (path) => {
    expect(volumePath.safeParse(path).success).toBe(false);
  });

  it("needs a file for a read, any folder for a listing", () => {
    expect(readVolumeFileParams.safeParse({ name: "data", path: "/", purpose: "view" }).success).toBe(false);
    expect(browseVolumeParams.parse({ name: "data" })).toEqual({ name: "data", path: "", limit: 200 });
    expect(browseVolumeParams.safeParse({ name: "../data" }).success).toBe(false);
  });
});
