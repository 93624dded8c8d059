import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { buildOptionProblems, DOCKERFILE_SERVICE, dockerfileBuildOptions, imageReference, renderDockerfileOverride } from "./dockerfile-build";

describe("single Dockerfile builds", () => {
  it("keeps the Dockerfile and context inside the stack's folder", () => {
    for (const path of ["../Dockerfile", "/etc/passwd", "app/../../x", "app//Dockerfile", "-f"]) {
      expect(dockerfileBuildOptions.safeParse({ dockerfile: path }).success, path).toBe(false);
      expect(dockerfileBuildOptions.safeParse({ context: path }).success, path).toBe(false);
    }
    expect(dockerfileBuildOptions.safeParse({ dockerfile: "app/Dockerfile", context: "app", tag: "team/app:1" }).success).toBe(true);
    expect(dockerfileBuildOptions.safeParse({ context: "." }).success).toBe(true);
  });

  it("takes image names as docker spells them", () => {
    for (const good of ["web", "team/web:1.0", "10.0.0.1:5000/team/web", "registry.example.com/a/b:c"]) expect(imageReference.safeParse(good).success, good).toBe(true);
    for (const bad of ["Web", "team/web:", "--push", "a b", "host:port/x", "x:$TAG", "-x.y/web"]) expect(imageReference.safeParse(bad).success, bad).toBe(false);
  });

  it("asks for a Dockerfile inside its context, and an image name", () => {
    expect(buildOptionProblems("BUILD_FILE", {}).map((problem) => problem.path[0])).toEqual(["dockerfile", "tag"]);
    expect(buildOptionProblems("BUILD_FILE", { dockerfile: "other/Dockerfile", context: "app", tag: "x" })).toEqual([
      { path: ["dockerfile"], message: "The Dockerfile must be inside the context directory app." },
    ]);
    expect(buildOptionProblems("BUILD_FILE", { dockerfile: "app/Dockerfile", context: "app", tag: "x" })).toEqual([]);
    expect(buildOptionProblems("BUILD", { dockerfile: "Dockerfile" }).map((problem) => problem.path[0])).toEqual(["dockerfile"]);
    expect(buildOptionProblems("DEPLOY", { noCache: true, target: "prod" }).map((problem) => problem.path[0])).toEqual(["noCache", "target"]);
    expect(buildOptionProblems("BUILD_PUSH", { noCache: true, createRepositories: true })).toEqual([]);
  });

  it("declares one generated service built from the Dockerfile, its path taken from the context", () => {
    const rendered = parse(renderDockerfileOverride({ dockerfile: "app/docker/Dockerfile", context: "app", tag: "team/app:1", target: "prod", args: { PRICE: "$5" } })) as unknown;
    expect(rendered).toEqual({ services: { [DOCKERFILE_SERVICE]: { build: { context: "./app", dockerfile: "docker/Dockerfile", target: "prod", args: { PRICE: "$$5" } }, image: "team/app:1" } } });
  });
});
