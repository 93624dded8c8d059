import type { WharfDeps } from "@wharf/api";
import { seedRows } from "@wharf/api/test-support/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { closeWharfDeps, createTestUser, freshTestDeps } from "./api";
import { stopStartedAgents } from "./bench-leftovers";

let deps: WharfDeps;

beforeAll(async () => {
  deps = await freshTestDeps();
});

afterAll(async () => {
  await closeWharfDeps(deps);
});

describe("the bench stopping the agents it started", () => {
  it("passes over hosts that are database rows only (their SSH user does not exist on this machine)", async () => {
    const owner = await createTestUser(deps);
    await seedRows(deps, owner.teamId, { hosts: 2, stacksPerHost: 0, prefix: "rows-only" });
    const nothingBefore = { agents: new Set<string>(), sshds: new Set<string>(), namespaces: new Set<string>(), containers: new Set<string>(), uids: new Set<number>() };
    await expect(stopStartedAgents(deps, nothingBefore)).resolves.toBeUndefined();
  });
});
