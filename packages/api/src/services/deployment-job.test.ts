import { describe, expect, it } from "vitest";

import { DOCKERFILE_SERVICE } from "../lib/dockerfile-build";
import { stepsFor } from "./deployment-job";

describe("stepsFor", () => {
  it("maps each action to its compose commands", () => {
    expect(stepsFor("DEPLOY", {})).toEqual([{ action: "up", options: {} }]);
    expect(stepsFor("ROLLBACK", {})).toEqual([{ action: "up", options: {} }]);
    expect(stepsFor("REDEPLOY", { pull: true }).map((s) => s.action)).toEqual(["pull", "up"]);
    expect(stepsFor("REDEPLOY", {})).toEqual([{ action: "up", options: { forceRecreate: true } }]);
    expect(stepsFor("DOWN", { volumes: true })).toEqual([{ action: "down", options: { removeOrphans: true, volumes: true } }]);
    expect(stepsFor("DOWN", {})).toEqual([{ action: "down", options: { removeOrphans: true } }]);
    expect(stepsFor("STOP", { services: ["web"] })).toEqual([{ action: "stop", options: { services: ["web"] } }]);
    expect(stepsFor("RESTART", {})).toEqual([{ action: "restart", options: {} }]);
    expect(stepsFor("PULL", {})).toEqual([{ action: "pull", options: {} }]);
    expect(stepsFor("BUILD", { services: ["api"] })).toEqual([{ action: "build", options: { services: ["api"] } }]);
    expect(stepsFor("BUILD_PUSH", { services: ["api"], noCache: true, pull: true })).toEqual([{ action: "build", options: { services: ["api"], noCache: true, pull: true } }]);
    expect(stepsFor("BUILD_FILE", { noCache: true })).toEqual([{ action: "build", options: { services: [DOCKERFILE_SERVICE], noCache: true } }]);
  });
});
