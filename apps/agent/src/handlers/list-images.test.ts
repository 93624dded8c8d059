import { imageSummary } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";

import { toImageSummary } from "./list-images";

describe("toImageSummary", () => {
  it("drops Docker's <none> placeholders and uses the counted containers", () => {
    const summary = toImageSummary(
      { Id: "sha256:abc", RepoTags: ["<none>:<none>"], RepoDigests: ["<none>@<none>"], Size: 1234, Created: 1_700_000_000 },
      ["web-1", "web-2", "job"],
    );
    expect(imageSummary.parse(summary)).toEqual({
      id: "sha256:abc",
      repoTags: [],
      repoDigests: [],
      sizeBytes: 1234,
      createdAt: "2023-11-14T22:13:20.000Z",
      containers: 3,
      containerNames: ["web-1", "web-2", "job"],
      untagged: "dangling",
    });
  });

  it("tells intermediate layers from dangling images, and leaves tagged ones alone", () => {
    const image = { Id: "sha256:abc", RepoTags: null, Size: 1, Created: 0 };
    expect(toImageSummary(image, [], true).untagged).toBe("intermediate");
    expect(toImageSummary(image, [], false).untagged).toBe("dangling");
    expect(toImageSummary({ ...image, RepoTags: ["busybox:latest"] }, [], true).untagged).toBeNull();
  });

  it("treats missing tag lists as empty", () => {
    expect(toImageSummary({ Id: "sha256:abc", RepoTags: null, Size: 1, Created: 0 }, []).repoTags).toEqual([]);
  });
});
