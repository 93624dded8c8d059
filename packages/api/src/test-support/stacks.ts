/**
 * Shared fixtures of the stack integration suites: sandbox hosts added
 * through the API, the two-file busybox stack, and helpers that follow a
 * deployment to its end.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { type TRPCError } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { appRouter, type WharfDeps } from "@wharf/api";
import { createTestUser, freshTestDeps, type TestUser } from "@wharf/testing/api";
import { dockerCli, loadSandbox, type SandboxHost } from "@wharf/testing/sandbox";
import superjson from "superjson";

import { type Problem, WharfError } from "../errors";

export const IMAGE = "wharf-test/busybox:latest";

export const BASE_FILE = "docker-compose.sample-service.yaml";
export const SERVICE_FILE = "service/docker-compose.service.yaml";

/** web prints to stdout, worker to stderr, each a numbered line every 200 ms. */
export const BASE = `services:
  web:
    image: ${IMAGE}
    init: true
    command: ["sh", "-c", "i=0; while true; do echo \\"web $$i $$GREETING\\"; i=$$((i+1)); sleep 0.2; done"]
    environment:
      GREETING: \${GREETING}
      DB_PASSWORD: \${DB_PASSWORD}
`;
export const SERVICE = `services:
  web:
    labels:
      tier: front
  worker:
    image: ${IMAGE}
    init: true
    command: ["sh", "-c", "i=0; while true; do echo \\"worker $$i\\" >&2; i=$$((i+1)); sleep 0.2; done"]
`;

/** Holds `compose up` for several seconds: app waits for gate to become healthy (the test image has no /tmp). */
export const SLOW = `services:
  gate:
    image: ${IMAGE}
    init: true
    command: ["sh", "-c", "sleep 8; touch /ready; exec sleep 1000000"]
    healthcheck:
      test: ["CMD", "test", "-f", "/ready"]
      interval: 1s
      retries: 60
  app:
    image: ${IMAGE}
    init: true
    command: ["sleep", "1000000"]
    depends_on:
      gate:
        condition: service_healthy
`;

export function uniqueName(purpose: string): string {
  return `it-${purpose}-${randomBytes(2).toString("hex")}`;
}

export function sandboxHost(name: string): SandboxHost {
  const host = loadSandbox().hosts.find((h) => h.name === name);
  if (!host) throw new Error(`sandbox host ${name} missing: start it with bash docker/sandbox/sandbox.sh up --hosts 2`);
  return host;
}

/** Sends everything `deps` logs to the returned list, for tests that check what reaches the log. */
export function captureLog(deps: WharfDeps): string[] {
  const lines: string[] = [];
  const capture = (message: string) => void lines.push(message);
  deps.log = { info: capture, warn: capture, error: capture };
  return lines;
}

/** Adds sandbox hosts to the user's team through the API; returns their ids by name. */
export async function addHosts(user: TestUser, names: string[]): Promise<Record<string, string>> {
  const clientKey = readFileSync(loadSandbox().clientKey, "utf8");
  const ids: Record<string, string> = {};
  for (const name of names) {
    const host = sandboxHost(name);
    const created = await user.caller.host.create({
      name,
      address: host.address,
      port: host.port,
      username: host.users.docker,
      credential: { type: "pasted", privateKey: clientKey },
      hostKeyFingerprint: host.hostKeyFingerprint,
    });
    ids[name] = created.id;
  }
  return ids;
}

/**
 * The usual start of a suite on the sandbox hosts: deps over an emptied
 * database, an owner in a new team, and the named hosts added to that team
 * (their ids and sandbox details by name). The names alone type the keys
 * (NoInfer): a suite assigning to a wider variable still gets each host.
 */
export async function ownerWithHosts<N extends string>(
  names: readonly N[],
): Promise<{ deps: WharfDeps; owner: TestUser; hostIds: Record<NoInfer<N>, string>; hosts: Record<NoInfer<N>, SandboxHost> }> {
  const deps = await freshTestDeps();
  const owner = await createTestUser(deps);
  const hostIds = (await addHosts(owner, [...names])) as Record<N, string>;
  const hosts = Object.fromEntries(names.map((name) => [name, sandboxHost(name)])) as Record<N, SandboxHost>;
  return { deps, owner, hostIds, hosts };
}

/** The located problems a validation error carries. */
export function problemsOf(error: TRPCError): Problem[] {
  return error.cause instanceof WharfError ? (error.cause.problems ?? []) : [];
}

/** The payloads of a subscription's tracked events ([id, data] envelopes when called directly). */
export async function* untracked<T>(events: AsyncIterable<unknown>): AsyncGenerator<T, void, undefined> {
  for await (const event of events) yield (Array.isArray(event) ? event[1] : event) as T;
}

interface OutputLine {
  seq: number;
  stream: string;
  text: string;
}

/** Follows a deployment's output to its end; returns its lines and final status. */
export async function followToEnd(user: TestUser, deploymentId: string, afterSeq = -1) {
  const lines: OutputLine[] = [];
  let status: string | null = null;
  const events = await user.caller.deployment.output({ deploymentId, afterSeq });
  for await (const event of untracked<{ type: string; lines?: OutputLine[]; status?: string }>(events)) {
    if (event.type === "lines") lines.push(...(event.lines ?? []));
    else status = event.status ?? null;
  }
  return { lines, status, job: await user.caller.deployment.byId({ deploymentId }) };
}

/** Polls the job row until `done` says so (for states the output stream does not wait for). */
export async function waitForJob(deps: WharfDeps, deploymentId: string, done: (job: { status: string; runnerId: string | null }) => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await deps.db.deployment.findUniqueOrThrow({ where: { id: deploymentId }, select: { status: true, runnerId: true, reason: true, error: true } });
    if (done(job)) return job;
    if (Date.now() > deadline) throw new Error(`deployment ${deploymentId} is still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function containersOf(host: SandboxHost, project: string, all = true): string[] {
  return dockerCli(host, ["ps", ...(all ? ["-a"] : []), "--filter", `label=com.docker.compose.project=${project}`, "--format", "{{.Names}}"])
    .split("\n")
    .filter(Boolean)
    .sort();
}

export function inspect(host: SandboxHost, container: string, format: string): string {
  return dockerCli(host, ["inspect", container, "--format", format]).trim();
}

/** Removes a project's containers and network directly on the engine, whatever state the tests left. */
export function removeProject(host: SandboxHost, project: string): void {
  const ids = dockerCli(host, ["ps", "-aq", "--filter", `label=com.docker.compose.project=${project}`]).split("\n").filter(Boolean);
  if (ids.length > 0) dockerCli(host, ["rm", "-f", ...ids]);
  const networks = dockerCli(host, ["network", "ls", "-q", "--filter", `label=com.docker.compose.project=${project}`]).split("\n").filter(Boolean);
  if (networks.length > 0) dockerCli(host, ["network", "rm", ...networks]);
}

/**
 * Where the agent of `host` keeps `project`'s files: the sandbox hosts share
 * this machine's filesystem (only their network is apart), so tests read them
 * directly. The default agent directory is ~/.wharf of the SSH user.
 */
export function hostProjectDir(host: SandboxHost, project: string, under: "stacks" | "state" = "stacks"): string {
  const home = execFileSync("getent", ["passwd", host.users.docker], { encoding: "utf8" }).split(":")[5];
  if (home === undefined || home === "") throw new Error(`no home directory for ${host.users.docker}`);
  return path.join(home, ".wharf", under, project);
}

/** The API over real HTTP (tRPC's standalone adapter), signed in as `userId`: subscriptions are SSE, as in the browser. */
export async function serveApi(deps: WharfDeps, userId: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createHTTPServer({ router: appRouter, createContext: () => ({ deps, session: { userId }, requestedTeamId: null, ip: "127.0.0.1" }) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Reads a tRPC subscription over SSE as a browser's EventSource would (with
 * `Last-Event-ID` when resuming). `onEvent` gets each payload and its event
 * id and returns false to stop; resolves when the server ends the stream.
 */
export async function readSse<T>(
  url: string,
  input: object,
  onEvent: (data: T, id: string | null) => boolean | Promise<boolean>,
  options: { lastEventId?: string } = {},
): Promise<void> {
  const controller = new AbortController();
  const query = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
  const response = await fetch(`${url}?input=${query}`, {
    headers: { accept: "text/event-stream", ...(options.lastEventId ? { "last-event-id": options.lastEventId } : {}) },
    signal: controller.signal,
  });
  if (!response.body) throw new Error(`no body (HTTP ${response.status})`);
  const decoder = new TextDecoder();
  let pending = "";
  try {
    for await (const chunk of response.body) {
      pending += decoder.decode(chunk as Uint8Array, { stream: true });
      const blocks = pending.split("\n\n");
      pending = blocks.pop() ?? "";
      for (const block of blocks) {
        const fields = block.split("\n");
        const field = (name: string) => fields.find((f) => f.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
        const event = field("event");
        if (event === "serialized-error") throw new Error(`subscription failed: ${block}`);
        if (event === "return") return;
        const data = field("data");
        if (event !== null || data === null) continue;
        const payload = superjson.deserialize<T>(JSON.parse(data) as Parameters<typeof superjson.deserialize>[0]);
        if (!(await onEvent(payload, field("id")))) return;
      }
    }
  } finally {
    controller.abort();
  }
}
