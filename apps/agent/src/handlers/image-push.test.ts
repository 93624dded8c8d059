import { describe, expect, it } from "vitest";

import { pushFrame } from "./image-push";

describe("pushFrame", () => {
  it.each([
    ['{"status":"The push refers to repository [r:5000/a]"}', null],
    ['{"status":"Preparing","progressDetail":{},"id":"2a8f"}', { kind: "layer", id: "2a8f", state: "preparing" }],
    ['{"status":"Pushing","progressDetail":{"current":512,"total":2048},"progress":"[=>  ]","id":"2a8f"}', { kind: "layer", id: "2a8f", state: "pushing", currentBytes: 512, totalBytes: 2048 }],
    ['{"status":"Layer already exists","progressDetail":{},"id":"eaab"}', { kind: "layer", id: "eaab", state: "exists" }],
    ['{"status":"Mounted from team/other","progressDetail":{},"id":"eaab"}', { kind: "layer", id: "eaab", state: "mounted" }],
    ['{"status":"v1: digest: sha256:f88b size: 736"}', null],
    ['{"progressDetail":{},"aux":{"Tag":"v1","Digest":"sha256:f88b","Size":736}}', { kind: "pushed", tag: "v1", digest: "sha256:f88b", sizeBytes: 736 }],
    ['{"errorDetail":{"message":"denied: requested access to the resource is denied"},"error":"denied: requested access to the resource is denied"}', { kind: "failed", message: "denied: requested access to the resource is denied" }],
    ["not json", null],
  ])("%s", (line, frame) => {
    expect(pushFrame(line)).toEqual(frame);
  });
});
