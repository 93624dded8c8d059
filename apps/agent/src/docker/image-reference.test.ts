import { describe, expect, it } from "vitest";

import { imageReferenceProblem, registryOf } from "./image-reference";

describe("imageReferenceProblem", () => {
  it.each([
    "busybox",
    "wharf-test/busybox:latest",
    "registry.example.com:5000/team/app_name__x/y-z:1.2.3-rc.1",
    "127.0.0.1:5000/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "[::1]:5000/app:v1",
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "Registry.Example.com/app:Tag_1",
  ])("accepts %s", (ref) => {
    expect(imageReferenceProblem(ref)).toBeNull();
  });

  it.each([
    ["wharf test/busybox", "invalid reference format"],
    ['busy"box', "invalid reference format"],
    ["busybox:la test", "invalid reference format"],
    ["app?x=1", "invalid reference format"],
    ["app#frag", "invalid reference format"],
    ["", "invalid reference format"],
    ["app:", "invalid reference format"],
    ["Team/App", "invalid reference format: repository name must be lowercase"],
    [`a${"b".repeat(255)}`, "invalid reference format: repository name must not be more than 255 characters"],
  ])("refuses %j: %s", (ref, problem) => {
    expect(imageReferenceProblem(ref)).toBe(problem);
  });
});

describe("registryOf", () => {
  it.each([
    ["busybox", "docker.io"],
    ["team/app:1", "docker.io"],
    ["10.231.1.1:5000/team/app:1", "10.231.1.1:5000"],
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api@sha256:abc", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"],
    ["localhost/app", "localhost"],
  ])("%s is pulled from %s", (ref, registry) => {
    expect(registryOf(ref)).toBe(registry);
  });
});
