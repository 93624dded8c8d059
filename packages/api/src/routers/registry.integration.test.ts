/**
 * Registries against a real distribution registry (htpasswd auth) started by
 * the test, pushes from a sandbox host checked through the registry's own
 * API, and Amazon ECR with only the AWS calls mocked: the local registry
 * stands in for the endpoint the token is for.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  RepositoryNotFoundException,
} from "@aws-sdk/client-ecr";
import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, type TestUser } from "@wharf/testing/api";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { buildLayeredImage, registryManifest, startTestRegistry, type TestRegistry } from "@wharf/testing/test-registry";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { WharfError } from "../errors";
import type { PushEvent } from "../services/image-push";
import { loadRegistry, registryAuth } from "../services/registries";
import { REFRESH_BEFORE_EXPIRY_MS } from "../services/registry-tokens";
import { refusal } from "../test-support/refusal";
import { followToEnd, hostProjectDir, ownerWithHosts, removeProject, uniqueName } from "../test-support/stacks";

const AUTH = { username: "pusher", password: "s3cret pass'\"$(touch /tmp/wharf-pwned)" };
let deps: WharfDeps;
let owner: TestUser;
let hostId: string;
let h1: SandboxHost;
let registry: TestRegistry;
const image = `${uniqueName("push")}:latest`;
const ecr = mockClient(ECRClient);

beforeAll(async () => {
  ({ deps, owner, hostIds: { h1: hostId }, hosts: { h1 } } = await ownerWithHosts(["h1"]));
  registry = await startTestRegistry({ auth: AUTH });
  buildLayeredImage(h1, image, 3, 200_000);
}, 300_000);

afterAll(async () => {
  ecr.restore();
  try {
    // The pushes tagged the same image under each registry: removed by id, every tag goes.
    dockerCli(h1, ["rmi", "-f", dockerCli(h1, ["image", "inspect", "--format", "{{.Id}}", image]).trim()]);
  } catch {
    // Already gone.
  }
  await registry.stop();
  await closeWharfDeps(deps);
});

async function push(input: { registryId: string; repository: string; tag: string; createRepository?: boolean }): Promise<PushEvent[]> {
  const events: PushEvent[] = [];
  for await (const event of await owner.caller.registry.push({ hostId, image, ...input })) events.push(event);
  return events;
}

function v2Registry(name: string) {
  return owner.caller.registry.create({ kind: "V2", name, url: `http://${registry.address}`, username: AUTH.username, password: AUTH.password });
}

/** Runs `check` while the registry holds a wrong password, then puts the right one back. */
async function withWrongPassword(registryId: string, check: () => Promise<void>): Promise<void> {
  const settings = { kind: "V2" as const, name: "local", url: `http://${registry.address}`, username: AUTH.username };
  await owner.caller.registry.update({ registryId, settings: { ...settings, password: "not the password" } });
  try {
    await check();
  } finally {
    await owner.caller.registry.update({ registryId, settings: { ...settings, password: AUTH.password } });
  }
}

describe("registries", () => {
  it("keeps the password sealed and write-only, audits each change, and logs in for real", async () => {
    const created = await v2Registry("local");
    expect(created.address).toBe(registry.address);
    const listed = await owner.caller.registry.list();
    expect(JSON.stringify(listed)).not.toContain(AUTH.password);
    const row = await deps.db.registry.findUniqueOrThrow({ where: { id: created.id } });
    expect(Buffer.from(row.secretEnc ?? []).toString("utf8")).not.toContain(AUTH.password);

    expect(await owner.caller.registry.test({ registryId: created.id })).toMatchObject({ ok: true });
    // An update without a password keeps the stored one.
    await owner.caller.registry.update({ registryId: created.id, settings: { kind: "V2", name: "local", url: `http://${registry.address}`, username: AUTH.username } });
    expect(await owner.caller.registry.test({ registryId: created.id })).toMatchObject({ ok: true });

    await withWrongPassword(created.id, async () => {
      const refused = await refusal(owner.caller.registry.test({ registryId: created.id }));
      expect(refused.code).toBe("PRECONDITION_FAILED");
      expect(refused.message).toContain("The registry local refused the user pusher");
    });
    // One set of credentials per address: a deploy knows which login to use.
    expect((await refusal(v2Registry("again"))).message).toContain("The registry local already holds the team's credentials for");

    const nowhere = await owner.caller.registry.create({ kind: "V2", name: "nowhere", url: "http://127.0.0.1:9", username: "u", password: "p" });
    expect((await refusal(owner.caller.registry.test({ registryId: nowhere.id }))).message).toMatch(/The registry nowhere could not be reached at http:\/\/127.0.0.1:9/);

    expect((await refusal(owner.caller.registry.create({ kind: "V2", name: "local", url: "http://127.0.0.1:10", username: "u", password: "p" }))).code).toBe("CONFLICT");
    await owner.caller.registry.remove({ registryId: nowhere.id });
    const actions = (await deps.db.auditEvent.findMany({ where: { teamId: owner.teamId, targetType: "registry" }, orderBy: { createdAt: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["registry.create", "registry.update", "registry.update", "registry.update", "registry.create", "registry.remove"]);
    const audit = await deps.db.auditEvent.findMany({ where: { teamId: owner.teamId } });
    expect(JSON.stringify(audit)).not.toContain(AUTH.password);
  });

  it("logs in to Docker Hub with a user and access token (the local registry standing in)", async () => {
    const hub = { ...deps, config: { ...deps.config, dockerHubUrl: registry.url } };
    const created = await owner.caller.registry.create({ kind: "DOCKER_HUB", name: "hub", username: AUTH.username, accessToken: AUTH.password });
    const loaded = await loadRegistry(hub, owner.teamId, created.id);
    const { auth, apiUrl } = await registryAuth(hub, loaded);
    expect(auth).toEqual({ serverAddress: `127.0.0.1:${registry.port}`, ...{ username: AUTH.username, password: AUTH.password } });
    expect(apiUrl).toBe(registry.url);
    const { testRegistry } = await import("../services/registries");
    expect(await testRegistry(hub, owner.teamId, created.id)).toMatchObject({ ok: true });
  });

  it("pushes a multi-layer image with per-layer progress, skips layers the registry has, and stores the manifest it reports", async () => {
    const target = await owner.caller.registry.list().then((all) => all.find((r) => r.name === "local")!);
    const first = await push({ registryId: target.id, repository: "team/app", tag: "v1" });
    const done = first.at(-1);
    expect(done).toMatchObject({ kind: "pushed", reference: `${registry.address}/team/app:v1` });
    const digest = done?.kind === "pushed" ? done.digest : "";
    const pushedLayers = new Set(first.flatMap((e) => (e.kind === "layer" && e.state === "pushed" ? [e.id] : [])));
    expect(pushedLayers.size).toBe(5);
    expect(first.some((e) => e.kind === "layer" && e.state === "pushing" && (e.totalBytes ?? 0) > 0)).toBe(true);

    const stored = await registryManifest(registry, "team/app", "v1", AUTH);
    expect(stored.digest).toBe(digest);
    expect(stored.layers).toHaveLength(5);
    expect(stored.stored.every(Boolean)).toBe(true);

    const again = await push({ registryId: target.id, repository: "team/app", tag: "v2" });
    const skipped = new Set(again.flatMap((e) => (e.kind === "layer" && e.state === "exists" ? [e.id] : [])));
    expect(skipped).toEqual(pushedLayers);
    expect(again.at(-1)).toMatchObject({ kind: "pushed", digest });
  }, 120_000);

  it("deploys a stack whose image lives in the registry: compose pulls with a login made for that run only", async () => {
    const local = await owner.caller.registry.list().then((all) => all.find((r) => r.name === "local")!);
    await push({ registryId: local.id, repository: "team/app", tag: "deploy" });
    const reference = `${registry.address}/team/app:deploy`;
    dockerCli(h1, ["rmi", reference]);
    const name = uniqueName("pulled");
    const runner: DeploymentRunner = startDeploymentRunner(deps, { pollMs: 200, sweepMs: 1_000 });
    try {
      const stack = await owner.caller.stack.create({
        name,
        targets: [{ hostId }],
        revision: { message: "from the registry", files: [{ path: "compose.yaml", content: `services:\n  app:\n    image: ${reference}\n    command: ["sleep", "300"]\n` }] },
      });
      const [job] = await owner.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
      const { status, lines } = await followToEnd(owner, job?.id ?? "");
      expect(status, lines.map((line) => line.text).join("\n")).toBe("SUCCEEDED");
      expect(dockerCli(h1, ["image", "inspect", "--format", "{{.Id}}", reference]).trim()).toMatch(/^sha256:/);
      // The run's login is gone, and the agent's user has none either.
      const runs = path.join(hostProjectDir(h1, name, "state"), "runs");
      for (const run of readdirSync(runs)) expect(existsSync(path.join(runs, run, "docker-config"))).toBe(false);
      const userConfig = path.join(path.dirname(path.dirname(hostProjectDir(h1, name))), "..", ".docker", "config.json");
      expect(existsSync(userConfig)).toBe(false);
      expect(JSON.stringify(await deps.db.deploymentLog.findMany({ where: { deploymentId: job?.id ?? "" } }))).not.toContain(AUTH.password);
    } finally {
      await runner.stop({ graceMs: 1_000 });
      removeProject(h1, name);
    }
  }, 180_000);

  it("says which registry refused the push and what to do", async () => {
    const local = await owner.caller.registry.list().then((all) => all.find((r) => r.name === "local")!);
    await withWrongPassword(local.id, async () => {
      const refused = await refusal(push({ registryId: local.id, repository: "team/app", tag: "bad" }));
      expect(refused.message).toMatch(/The registry local refused the credentials .*check them on the Registries page/);
    });
    await registry.stop();
    try {
      const unreachable = await refusal(push({ registryId: local.id, repository: "team/app", tag: "down" }));
      expect(unreachable.message).toMatch(/The host could not reach the registry local/);
    } finally {
      registry = await restart();
    }
  }, 120_000);
});

/** A fresh registry (same credentials) after one test stopped it; the ECR tests read what it stores. */
async function restart(): Promise<TestRegistry> {
  return startTestRegistry({ auth: AUTH });
}

describe("Amazon ECR", () => {
  const ACCOUNT = "123456789012";
  let registryId: string;
  const repositories = new Set<string>();

  function answerToken(expiresAt: Date) {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: Buffer.from(`${AUTH.username}:${AUTH.password}`).toString("base64"), proxyEndpoint: `http://${registry.address}`, expiresAt }],
    });
  }

  beforeAll(async () => {
    ecr.reset();
    answerToken(new Date(Date.now() + 12 * 3_600_000));
    ecr.on(DescribeRepositoriesCommand).callsFake((input: { repositoryNames?: string[] }) => {
      const name = input.repositoryNames?.[0];
      if (name && !repositories.has(name)) throw new RepositoryNotFoundException({ message: `The repository with name '${name}' does not exist`, $metadata: {} });
      return { repositories: [] };
    });
    ecr.on(CreateRepositoryCommand).callsFake((input: { repositoryName: string }) => {
      repositories.add(input.repositoryName);
      return { repository: { repositoryName: input.repositoryName } };
    });
    registryId = (
      await owner.caller.registry.create({ kind: "ECR", name: "ecr", region: "eu-west-1", awsRegistryId: ACCOUNT, accessKeyId: "AKIAEXAMPLEEXAMPLE12", secretAccessKey: "aws-secret" })
    ).id;
  });

  it("tests the connection with a token and a repository read, and names images after the token's endpoint", async () => {
    expect(await owner.caller.registry.test({ registryId })).toMatchObject({ ok: true });
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
    expect(ecr.commandCalls(DescribeRepositoriesCommand)[0]?.args[0].input).toEqual({ registryId: ACCOUNT, maxResults: 1 });
    expect((await owner.caller.registry.list()).find((r) => r.id === registryId)?.address).toBe(registry.address);
    const token = await deps.db.registryToken.findUniqueOrThrow({ where: { registryId } });
    expect(Buffer.from(token.tokenEnc).toString("utf8")).not.toContain(AUTH.password);
  });

  it("offers to create a missing repository, then creates it and pushes with no pasted token", async () => {
    const missing = await refusal(push({ registryId, repository: "shop/api", tag: "v1" }));
    expect(missing.message).toContain("The repository shop/api does not exist in the registry ecr");
    expect(missing.cause).toBeInstanceOf(WharfError);
    expect((missing.cause as WharfError).reason).toBe("REPOSITORY_MISSING");
    const events = await push({ registryId, repository: "shop/api", tag: "v1", createRepository: true });
    expect(events[0]).toEqual({ kind: "repositoryCreated", repository: "shop/api" });
    expect(events.at(-1)).toMatchObject({ kind: "pushed", reference: `${registry.address}/shop/api:v1` });
    expect((await registryManifest(registry, "shop/api", "v1", AUTH)).stored.every(Boolean)).toBe(true);
    // The cached token served the push.
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
  }, 120_000);

  it("refreshes once, an hour before expiry, however many callers need it at once; a token past its life is dropped", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const issued = ecr.commandCalls(GetAuthorizationTokenCommand).length;
      const cachedUntil = (await deps.db.registryToken.findUniqueOrThrow({ where: { registryId } })).expiresAt;
      // Just inside the refresh window: still served from the cache a minute earlier.
      vi.setSystemTime(cachedUntil.getTime() - REFRESH_BEFORE_EXPIRY_MS - 60_000);
      const loaded = await loadRegistry(deps, owner.teamId, registryId);
      await registryAuth(deps, loaded);
      expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(issued);

      vi.setSystemTime(cachedUntil.getTime() - REFRESH_BEFORE_EXPIRY_MS + 60_000);
      const renewedUntil = new Date(Date.now() + 12 * 3_600_000);
      answerToken(renewedUntil);
      const answers = await Promise.all(Array.from({ length: 8 }, () => registryAuth(deps, loaded)));
      expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(issued + 1);
      expect(new Set(answers.map((a) => a.auth.password))).toEqual(new Set([AUTH.password]));
      expect((await deps.db.registryToken.findUniqueOrThrow({ where: { registryId } })).expiresAt).toEqual(renewedUntil);

      // Past its life, with Amazon failing: the old token is deleted, not used.
      vi.setSystemTime(renewedUntil.getTime() + 1_000);
      ecr.on(GetAuthorizationTokenCommand).rejects(Object.assign(new Error("The security token included in the request is invalid."), { name: "UnrecognizedClientException" }));
      const refused = await registryAuth(deps, loaded).then(
        () => null,
        (error: unknown) => error as WharfError,
      );
      expect(refused?.message).toContain("Amazon rejected the credentials of the registry ecr");
      expect(await deps.db.registryToken.findUnique({ where: { registryId } })).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
