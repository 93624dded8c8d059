import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { appRouter } from "./root";

let deps: WharfDeps;
let owner: TestUser;

beforeAll(() => {
  deps = createTestDeps();
});

afterAll(async () => {
  await closeWharfDeps(deps);
});

beforeEach(async () => {
  await resetDatabase(deps);
  owner = await createTestUser(deps);
});

/** What a browser gets over HTTP: the error formatter's shape, not the caller's thrown error. */
async function post(path: string, input: unknown) {
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://wharf.test/api/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ json: input }) }),
    router: appRouter,
    createContext: () => ({ deps, session: { userId: owner.userId }, requestedTeamId: null, ip: "127.0.0.1" }),
  });
  const body = (await response.json()) as { error: { json: { message: string; data: { code: string; fieldErrors: Record<string, string[]> | null } } } };
  return { status: response.status, error: body.error.json };
}

describe("validation errors over HTTP", () => {
  it("carry one readable sentence naming each field, not a JSON dump of zod issues", async () => {
    const { status, error } = await post("host.create", {
      name: "Not A DNS Name!",
      address: "10.0.0.1",
      port: 70000,
      username: "deploy",
      credential: { type: "existing", credentialId: "x" },
      hostKeyFingerprint: "SHA256:" + "a".repeat(43),
    });
    expect(status).toBe(400);
    expect(error.data.code).toBe("BAD_REQUEST");
    expect(error.message).toBe("name: Use lowercase letters, digits and dashes (like a DNS label), e.g. build-01; port: Ports run from 1 to 65535.");
    expect(error.message).not.toMatch(/[[{]/);
    expect(error.data.fieldErrors).toMatchObject({ name: [expect.stringMatching(/lowercase/) as unknown], port: [expect.stringMatching(/65535/) as unknown] });
  });
});
