import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestUser, freshTestDeps } from "@wharf/testing/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { expectTrpcError } from "../test-support/trpc";

let deps: WharfDeps;

beforeAll(async () => {
  deps = await freshTestDeps();
});
afterAll(async () => {
  await closeWharfDeps(deps);
});

describe("SSH keys", () => {
  it("can be renamed by who may write keys, within their team, and the rename is audited", async () => {
    const owner = await createTestUser(deps);
    const key = await owner.caller.credential.generate({ name: "h1 key" });
    const renamed = await owner.caller.credential.rename({ credentialId: key.id, name: "  shared deploy key " });
    expect(renamed).toMatchObject({ id: key.id, name: "shared deploy key", fingerprint: key.fingerprint });
    expect((await owner.caller.credential.list()).map((k) => k.name)).toEqual(["shared deploy key"]);
    const audit = await owner.caller.audit.list({ limit: 5 });
    expect(audit.items[0]).toMatchObject({ action: "credential.rename", summary: "Renamed SSH key h1 key to shared deploy key" });

    await expectTrpcError(owner.caller.credential.rename({ credentialId: key.id, name: " " }), "BAD_REQUEST", /Name the key/);
    const viewer = await createTestUser(deps, { role: "VIEWER", teamId: owner.teamId });
    await expectTrpcError(viewer.caller.credential.rename({ credentialId: key.id, name: "mine" }), "FORBIDDEN", /does not allow credential:write/);
    const stranger = await createTestUser(deps);
    await expectTrpcError(stranger.caller.credential.rename({ credentialId: key.id, name: "mine" }), "NOT_FOUND", /That SSH key was not found/);
  });
});
