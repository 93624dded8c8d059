import { describe, expect, it } from "vitest";

import { explainPushFailure } from "./image-push";

describe("explainPushFailure", () => {
  it.each([
    ["unauthorized: authentication required", "REGISTRY_UNAUTHORIZED", /refused the credentials/],
    ["no basic auth credentials", "REGISTRY_UNAUTHORIZED", /refused the credentials/],
    ["name unknown: The repository with name 'x' does not exist in the registry with id '1'", "REPOSITORY_MISSING", /does not exist in the registry hub/],
    ["denied: requested access to the resource is denied", "REGISTRY_DENIED", /does not let these credentials push/],
    ['Get "https://r:5000/v2/": dial tcp 10.0.0.9:5000: connect: connection refused', "REGISTRY_UNREACHABLE", /could not reach the registry hub/],
    ["something new", "PUSH_FAILED", /failed: something new/],
  ])("%s", (message, reason, said) => {
    const error = explainPushFailure("hub", "r:5000/a:1", message);
    expect(error.reason).toBe(reason);
    expect(error.message).toMatch(said);
  });
});
