import { describe, expect, it } from "vitest";

import { chainIds, layerOwners, pruneSet, toPullProgress } from "./image-actions";

describe("chainIds", () => {
  it("keeps the base layer's diff id and hashes each layer onto the one below, as Docker's layer store does", () => {
    const [base, second] = chainIds(["sha256:aaa", "sha256:bbb"]);
    expect(base).toBe("sha256:aaa");
    // sha256("sha256:aaa sha256:bbb")
    expect(second).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(chainIds(["sha256:ccc", "sha256:bbb"])[1]).not.toBe(second);
  });
});

describe("layerOwners", () => {
  it("gives layers to entries with bytes, then to zero-byte file instructions before metadata ones", () => {
    const entries = [
      { createdBy: "/bin/sh -c #(nop) COPY file:abc in /bin/busybox", sizeBytes: 100 },
      { createdBy: '/bin/sh -c #(nop)  CMD ["sh"]', sizeBytes: 0 },
      { createdBy: "/bin/sh -c true", sizeBytes: 0 },
    ];
    expect(layerOwners(entries, 2)).toEqual([true, false, true]);
    expect(layerOwners(entries, 1)).toEqual([true, false, false]);
  });

  it("says null when history and layers cannot line up", () => {
    expect(layerOwners([{ createdBy: "RUN a", sizeBytes: 5 }], 0)).toBeNull();
    expect(layerOwners([{ createdBy: "CMD x", sizeBytes: 0 }], 2)).toBeNull();
  });
});

describe("pruneSet", () => {
  const image = (id: string, repoTags: string[], parentId: string | null = null, labels: Record<string, string> = {}) => ({ id, repoTags, parentId, sizeBytes: 1, chains: [], labels });

  it("dangling: untagged images nothing builds on, and untagged parents with their last child", () => {
    const images = [image("base", ["base:1"]), image("mid", [], "base"), image("top", [], "mid"), image("used", []), image("app", ["app:1"], "base")];
    expect([...pruneSet(images, new Map([["used", [{}]]]), "dangling")].sort()).toEqual(["mid", "top"]);
  });

  it("unused: everything no container uses, keeping the parents of what stays", () => {
    const images = [image("base", ["base:1"]), image("app", ["app:1"], "base"), image("other", ["other:1"])];
    expect([...pruneSet(images, new Map([["app", [{}]]]), "unused")]).toEqual(["other"]);
    expect([...pruneSet(images, new Map(), "unused")].sort()).toEqual(["app", "base", "other"]);
  });

  it("with a label, only images carrying it, and the untagged parents they leave behind", () => {
    const images = [image("base", ["base:1"]), image("step", [], "base"), image("mine", ["mine:1"], "step", { run: "a" }), image("theirs", ["theirs:1"])];
    expect([...pruneSet(images, new Map(), "unused", "run=a")].sort()).toEqual(["mine", "step"]);
    expect([...pruneSet(images, new Map(), "unused", "run=b")]).toEqual([]);
  });
});

describe("toPullProgress", () => {
  it("maps Docker's lines to layer and status frames", () => {
    expect(toPullProgress('{"status":"Downloading","progressDetail":{"current":10,"total":20},"id":"abc123"}')).toEqual({
      kind: "layer",
      layer: "abc123",
      status: "Downloading",
      currentBytes: 10,
      totalBytes: 20,
    });
    expect(toPullProgress('{"status":"Pulling from library/busybox","id":"latest"}')).toEqual({ kind: "status", status: "Pulling from library/busybox (latest)" });
    expect(toPullProgress('{"status":"Digest: sha256:abc"}')).toEqual({ kind: "status", status: "Digest: sha256:abc" });
    expect(toPullProgress("not json")).toBeNull();
  });

  it("turns an error line into a failure that keeps Docker's words", () => {
    expect(() => toPullProgress('{"error":"manifest unknown","errorDetail":{"message":"manifest for x:1 not found: manifest unknown"}}')).toThrow(/the pull failed: manifest for x:1 not found/);
  });
});
