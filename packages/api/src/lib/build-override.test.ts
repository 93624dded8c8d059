import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { buildArgs, buildTarget, renderBuildOverride, servicesWithBuild } from "./build-override";

describe("build override", () => {
  it("gives only the services with a build section their target and args, keeping $ literal", () => {
    const services = servicesWithBuild([
      { content: "services:\n  app:\n    build: ./app\n  db:\n    image: postgres\n" },
      { content: "services:\n  worker:\n    build:\n      context: ./worker\n" },
    ]);
    expect(services).toEqual(["app", "worker"]);
    const rendered = renderBuildOverride(services, { target: "prod", args: { VERSION: "1.2", PRICE: "$5" } });
    expect(parse(rendered ?? "")).toEqual({
      services: { app: { build: { target: "prod", args: { VERSION: "1.2", PRICE: "$$5" } } }, worker: { build: { target: "prod", args: { VERSION: "1.2", PRICE: "$$5" } } } },
    });
    expect(renderBuildOverride(services, {})).toBeNull();
    expect(renderBuildOverride([], { target: "prod" })).toBeNull();
  });

  it("refuses a target or arg name that is not one", () => {
    expect(buildTarget.safeParse("prod stage").success).toBe(false);
    expect(buildTarget.safeParse("--push").success).toBe(false);
    expect(buildArgs.safeParse({ "1BAD": "x" }).success).toBe(false);
    expect(buildArgs.safeParse({ OK: "a\0b" }).success).toBe(false);
  });
});
