import { describe, expect, it } from "vitest";

import { diffForHost, imagesOf } from "./approval-diff";

const host = { id: "h", name: "h1" };
const v1 = { number: 1, files: [{ path: "compose.yaml", content: "services:\n  web:\n    image: nginx:1.25\n" }], envNames: ["A", "TOKEN"], limits: {} };
const v2 = {
  number: 2,
  files: [
    { path: "compose.yaml", content: "services:\n  web:\n    image: nginx:1.27\n" },
    { path: "extra.yaml", content: "services:\n  worker:\n    image: busybox\n" },
  ],
  envNames: ["A", "B"],
  limits: { web: { memoryBytes: 64 * 1024 * 1024 } },
};

describe("diffForHost", () => {
  it("lists changed files with patches, variable names, limits and images against what runs", () => {
    const diff = diffForHost(host, v1, v2);
    expect(diff).toMatchObject({ running: 1, requested: 2 });
    expect(diff.files.map((f) => [f.path, f.change])).toEqual([
      ["compose.yaml", "modified"],
      ["extra.yaml", "added"],
    ]);
    expect(diff.files[0]?.patch).toContain("-    image: nginx:1.25\n+    image: nginx:1.27");
    expect(diff.env).toEqual([
      { key: "B", change: "added" },
      { key: "TOKEN", change: "removed" },
    ]);
    expect(diff.limits).toEqual([{ service: "web", change: "added" }]);
    expect(diff.images).toEqual([
      { service: "web", from: "nginx:1.25", to: "nginx:1.27" },
      { service: "worker", from: null, to: "busybox" },
    ]);
  });

  it("shows a down as everything removed, and a first deploy as everything added", () => {
    expect(diffForHost(host, v1, null)).toMatchObject({ requested: null, files: [{ path: "compose.yaml", change: "removed" }], images: [{ service: "web", from: "nginx:1.25", to: null }] });
    expect(diffForHost(host, null, v1).files).toEqual([expect.objectContaining({ change: "added" })]);
    expect(diffForHost(host, v1, v1)).toMatchObject({ files: [], env: [], limits: [], images: [] });
  });

  it("takes a later file's image over an earlier one's, and skips files that are not YAML", () => {
    expect(imagesOf([{ content: "services:\n  a:\n    image: x\n" }, { content: "services:\n  a:\n    image: y\n" }, { content: ": : :" }])).toEqual({ a: "y" });
  });
});
