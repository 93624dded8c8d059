/**
 * Build and push, single Dockerfile builds and the build history, against a
 * sandbox host and a real distribution registry (htpasswd auth): what was
 * pushed is read back through the registry's own API.
 */
import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, type TestUser } from "@wharf/testing/api";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { registryManifest, startTestRegistry, type TestRegistry } from "@wharf/testing/test-registry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { followToEnd, IMAGE, ownerWithHosts, removeProject, uniqueName } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

const AUTH = { username: "builder", password: "build pass'\"$(touch /tmp/wharf-pwned)" };
let deps: WharfDeps;
let runner: DeploymentRunner;
let owner: TestUser;
let hostId: string;
let h1: SandboxHost;
let registry: TestRegistry;
let registryId: string;
const projects = new Set<string>();
const images = new Set<string>();

const b64 = (text: string) => Buffer.from(text).toString("base64");

function compose(repository: string): string {
  return `services:
  web:
    build:
      context: ./web
    image: ${registry.address}/${repository}:1
  elsewhere:
    build:
      context: ./web
    image: registry.invalid/team/elsewhere:1
  db:
    image: ${IMAGE}
`;
}

const tree = [
  { path: "web/Dockerfile", content: b64(`FROM ${IMAGE}\nARG GREETING=none\nRUN echo "$GREETING" > /greeting\nCOPY page.txt /page.txt\n`) },
  { path: "web/page.txt", content: b64("served by web\n") },
  { path: "tools/docker/Dockerfile", content: b64(`FROM ${IMAGE}\nARG FLAVOUR=plain\nRUN echo "$FLAVOUR" > /flavour\n`) },
];

async function run(stackId: string, action: "BUILD_PUSH" | "BUILD_FILE", options: Record<string, unknown>) {
  const [job] = await owner.caller.deployment.start({ stackId, action, hostIds: [hostId], options });
  if (!job) throw new Error("no job started");
  return followToEnd(owner, job.id);
}

async function createStack(purpose: string, repository: string) {
  const name = uniqueName(purpose);
  projects.add(name);
  return owner.caller.stack.create({ name, targets: [{ hostId }], revision: { files: [{ path: "compose.yaml", content: compose(repository) }], tree } });
}

beforeAll(async () => {
  ({ deps, owner, hostIds: { h1: hostId }, hosts: { h1 } } = await ownerWithHosts(["h1"]));
  registry = await startTestRegistry({ auth: AUTH });
  registryId = (await owner.caller.registry.create({ kind: "V2", name: "builds", url: `http://${registry.address}`, username: AUTH.username, password: AUTH.password })).id;
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
}, 120_000);

afterAll(async () => {
  await runner.stop({ graceMs: 1_000 });
  for (const project of projects) removeProject(h1, project);
  for (const image of images) {
    try {
      dockerCli(h1, ["image", "rm", "-f", image]);
    } catch {
      // Never built (a refused job).
    }
  }
  await registry.stop();
  await closeWharfDeps(deps);
});

describe("build and push", () => {
  it("builds the services whose image names a team registry with the build options, pushes each with its layers and digest, and lists the build", async () => {
    const repository = `builds/${uniqueName("web")}`;
    const stack = await createStack("push", repository);
    const reference = `${registry.address}/${repository}:1`;
    images.add(reference);

    const plan = await owner.caller.deployment.pushPlan({ stackId: stack.id });
    expect(plan.targets.map((target) => [target.service, target.registryName, target.repository, target.tag])).toEqual([["web", "builds", repository, "1"]]);
    expect(plan.skipped.map((entry) => entry.service).sort()).toEqual(["db", "elsewhere"]);

    const done = await run(stack.id, "BUILD_PUSH", { noCache: true, buildArgs: { GREETING: "hello from a build arg" } });
    const texts = done.lines.map((line) => line.text);
    expect(done.status, texts.join("\n")).toBe("SUCCEEDED");
    expect(texts).toContain("Skipping elsewhere: its image names registry.invalid, for which the team has no registry credentials: add the registry on the Registries page.");
    expect(texts).toContain("Running compose build web…");
    expect(texts.some((text) => /^Layer [0-9a-f]+: pushed/.test(text))).toBe(true);
    // The build arg reached the build: the image holds it.
    expect(dockerCli(h1, ["run", "--rm", reference, "cat", "/greeting"])).toBe("hello from a build arg\n");

    // What the registry holds, read through its own API as the job's credentials' user.
    const manifest = await registryManifest(registry, repository, "1", AUTH);
    expect(manifest.stored.every(Boolean)).toBe(true);
    expect(texts.some((text) => text.startsWith(`Pushed ${reference}: digest ${manifest.digest ?? "?"} (`))).toBe(true);
    const localId = dockerCli(h1, ["image", "inspect", "--format", "{{.Id}}", reference]).trim();

    const [build] = await owner.caller.deployment.builds({ stackId: stack.id });
    expect(build).toMatchObject({ id: done.job.id, action: "BUILD_PUSH", status: "SUCCEEDED", host: { name: "h1" } });
    expect(build?.images).toEqual([{ id: localId, names: [reference], service: "web", pushed: { registry: "builds", reference, digest: manifest.digest, sizeBytes: expect.any(Number) as number } }]);

    // A second push finds every layer in the registry already.
    const again = await run(stack.id, "BUILD_PUSH", {});
    expect(again.status).toBe("SUCCEEDED");
    expect(again.lines.some((line) => line.text.endsWith(": already in the registry, skipped."))).toBe(true);
  });

  it("fails naming the registry when its credentials are refused, and refuses a stack with nothing to push before queueing", async () => {
    const repository = `builds/${uniqueName("denied")}`;
    const stack = await createStack("denied", repository);
    images.add(`${registry.address}/${repository}:1`);
    const settings = { kind: "V2" as const, name: "builds", url: `http://${registry.address}`, username: AUTH.username };
    await owner.caller.registry.update({ registryId, settings: { ...settings, password: "not the password" } });
    try {
      const refused = await run(stack.id, "BUILD_PUSH", {});
      expect(refused.status).toBe("FAILED");
      expect(refused.job.reason).toBe("REGISTRY_UNAUTHORIZED");
      expect(refused.job.error).toMatch(/^The registry builds refused the credentials .*check them on the Registries page/);
      expect(JSON.stringify(refused.lines)).not.toContain(AUTH.password);
    } finally {
      await owner.caller.registry.update({ registryId, settings: { ...settings, password: AUTH.password } });
    }

    const name = uniqueName("nopush");
    projects.add(name);
    const plain = await owner.caller.stack.create({ name, targets: [{ hostId }], revision: { files: [{ path: "compose.yaml", content: `services:\n  a:\n    image: ${IMAGE}\n` }] } });
    await expectTrpcError(owner.caller.deployment.start({ stackId: plain.id, action: "BUILD_PUSH" }), "PRECONDITION_FAILED", /No service of .* can be built and pushed: .*a: it has no build section/);
    await expectTrpcError(owner.caller.deployment.start({ stackId: stack.id, action: "BUILD_PUSH", options: { services: ["db"] } }), "BAD_REQUEST", /db cannot be built and pushed: it has no build section/);
    expect(await deps.db.deployment.count({ where: { stackId: plain.id } })).toBe(0);
  });
});

describe("a single Dockerfile build", () => {
  it("builds a Dockerfile of the stack's folder into the named image, and refuses paths outside the folder or missing from it", async () => {
    const stack = await createStack("dockerfile", `builds/${uniqueName("unused")}`);
    const tag = `wharf-builds/${uniqueName("tool")}:1`;
    images.add(tag);
    const done = await run(stack.id, "BUILD_FILE", { dockerfile: "tools/docker/Dockerfile", context: "tools", tag, buildArgs: { FLAVOUR: "spicy" } });
    expect(done.status, done.lines.map((line) => line.text).join("\n")).toBe("SUCCEEDED");
    expect(dockerCli(h1, ["run", "--rm", tag, "cat", "/flavour"])).toBe("spicy\n");
    const localId = dockerCli(h1, ["image", "inspect", "--format", "{{.Id}}", tag]).trim();
    const [build] = await owner.caller.deployment.builds({ stackId: stack.id });
    expect(build).toMatchObject({ action: "BUILD_FILE", status: "SUCCEEDED", options: { dockerfile: "tools/docker/Dockerfile", tag } });
    expect(build?.images).toEqual([{ id: localId, names: [`docker.io/${tag}`], service: null, pushed: null }]);

    await expectTrpcError(owner.caller.deployment.start({ stackId: stack.id, action: "BUILD_FILE", options: { dockerfile: "../../etc/passwd", tag } }), "BAD_REQUEST", /must stay inside the stack directory/);
    await expectTrpcError(owner.caller.deployment.start({ stackId: stack.id, action: "BUILD_FILE", options: { dockerfile: "tools/Dockerfile", context: "tools", tag } }), "BAD_REQUEST", /has no file tools\/Dockerfile/);
    await expectTrpcError(owner.caller.deployment.start({ stackId: stack.id, action: "BUILD_FILE", options: { dockerfile: "web/Dockerfile", context: "tools", tag } }), "BAD_REQUEST", /./);
  });
});
