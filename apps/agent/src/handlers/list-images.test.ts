import { imageSummary } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";

import { toImageSummary } from "./list-images";

describe("toImageSummary", () => {
  it("drops Docker's <none> placeholders and uses the counted containers", () => {
    const summary = toImageSummary(
      { Id: "sha256:abc", RepoTags: ["<none>:<none>"], RepoDigests: ["<none>@<none>"], Size: 1234, Created: 1_700_000_000 },
      3,
    );
    expect(imageSummary.parse(summary)).toEqual({
      id: "sha256:abc",
      repoTags: [],
      repoDigests: [],
      sizeBytes: 1234,
      createdAt: "2023-11-14T22:13:20.000Z",
      containers: 3,
    });
  });

  it("treats missing tag lists as empty", () => {
    expect(toImageSummary({ Id: "sha256:abc", RepoTags: null, Size: 1, Created: 0 }, 0).repoTags).toEqual([]);
  });
});
