import { describe, expect, it } from "vitest";

import * as errors from "./errors";

const { WharfError } = errors;

describe("WharfError", () => {
  it("is recognised when thrown by another copy of its module, as Next.js bundles give one per bundle", async () => {
    // A query string makes the module loader evaluate the file again: a second, distinct class.
    const anotherBundle = "./errors?another-bundle";
    const copy = (await import(/* @vite-ignore */ anotherBundle)) as typeof errors;
    expect(copy.WharfError).not.toBe(WharfError);
    const foreign = new copy.WharfError("CONFLICT", "thrown by the other copy", "JOB_ACTIVE");
    expect(foreign instanceof WharfError).toBe(true);
    expect(new WharfError("NOT_FOUND", "here") instanceof copy.WharfError).toBe(true);
    expect(new Error("plain") instanceof WharfError).toBe(false);
    expect((null as unknown) instanceof WharfError).toBe(false);
  });
});
