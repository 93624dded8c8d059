import { existsSync } from "node:fs";

import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestUser, type TestUser } from "@wharf/testing/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BASE, BASE_FILE, containersOf, hostProjectDir, ownerWithHosts, sandboxHost, SERVICE, SERVICE_FILE, uniqueName } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

// "Check on <host>" runs a deploy's preflight: what deploy refuses, Check refuses with the same words, and the host is left alone.

const RTPRIO = { web: { ulimits: { rtprio: { soft: 99, hard: 99 } } } };

let deps: WharfDeps;
let owner: TestUser;
let hostIds: Record<string, string>;

function files(service = SERVICE) {
  return [
    { path: BASE_FILE, content: BASE },
    { path: SERVICE_FILE, content: service },
  ];
}

async function createStack(purpose: string, limits = {}) {
  return owner.caller.stack.create({
    name: uniqueName(purpose),
    targets: [{ hostId: hostIds.h1 ?? "" }],
    revision: { message: "first", files: files(), env: [{ key: "GREETING", value: "hi" }], secrets: [{ key: "DB_PASSWORD", value: "pw" }], limits },
  });
}

beforeAll(async () => {
  ({ deps, owner, hostIds } = await ownerWithHosts(["h1"]));
});

afterAll(async () => {
  await closeWharfDeps(deps);
});

describe("Check on a host", () => {
  it("refuses rtprio 99 from the limits with the message deploy gives, and leaves the host as it was", async () => {
    const stack = await createStack("check-rtprio", RTPRIO);
    const check = await owner.caller.stack.checkDraft({ stackId: stack.id, hostId: hostIds.h1 ?? "", files: files(), env: [{ key: "GREETING", value: "hi" }], secrets: [{ key: "DB_PASSWORD" }], limits: RTPRIO });
    if (check.ok) throw new Error("the check passed");
    expect(check.reason).toBe("PREFLIGHT_FAILED");
    expect(check.message).toMatch(/host h1 cannot grant .*rtprio.*99/i);
    expect(check.problems).toEqual([expect.objectContaining({ path: ["preflight", "h1", "web", "ulimit"], message: check.message })]);
    expect(existsSync(hostProjectDir(sandboxHost("h1"), stack.name))).toBe(false);
    expect(containersOf(sandboxHost("h1"), stack.name)).toEqual([]);

    const refused = await expectTrpcError(owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" }), "PRECONDITION_FAILED", /rtprio/);
    expect(refused.message).toContain(check.message);
  });

  it("refuses rtprio 99 written as compose ulimits", async () => {
    const stack = await createStack("check-ulimits");
    const service = SERVICE.replace("    labels:\n", "    ulimits:\n      rtprio: 99\n    labels:\n");
    expect(service).not.toBe(SERVICE);
    const check = await owner.caller.stack.checkDraft({ stackId: stack.id, hostId: hostIds.h1 ?? "", files: files(service), secrets: [{ key: "DB_PASSWORD" }] });
    if (check.ok) throw new Error("the check passed");
    expect(check.reason).toBe("PREFLIGHT_FAILED");
    expect(check.message).toMatch(/host h1 cannot grant .*rtprio.*99/i);
  });

  it("passes a revision the host can run, listing the checks it ran", async () => {
    const stack = await createStack("check-ok");
    const check = await owner.caller.stack.checkDraft({ stackId: stack.id, hostId: hostIds.h1 ?? "", files: files(), secrets: [{ key: "DB_PASSWORD" }] });
    if (!check.ok) throw new Error(check.message);
    expect(check.checks).toContainEqual(expect.objectContaining({ service: "web", check: "image", ok: true }));
    expect(check.compose).toMatch(/^v[12] /);
  });

  it("reports files compose rejects with their file and line", async () => {
    const stack = await createStack("check-invalid");
    const check = await owner.caller.stack.checkDraft({ stackId: stack.id, hostId: hostIds.h1 ?? "", files: files(SERVICE.replace("    image:", "    imagee:")), secrets: [{ key: "DB_PASSWORD" }] });
    expect(check).toMatchObject({ ok: false, reason: "COMPOSE_INVALID", problems: [expect.objectContaining({ file: SERVICE_FILE, line: 6 })] });
  });

  it("needs stack:write, as a draft preview does", async () => {
    const stack = await createStack("check-viewer");
    const viewer = await createTestUser(deps, { teamId: owner.teamId, role: "VIEWER" });
    await expectTrpcError(viewer.caller.stack.checkDraft({ stackId: stack.id, hostId: hostIds.h1 ?? "", files: files() }), "FORBIDDEN", /stack:write/);
  });
});
