import type { WharfDeps } from "@wharf/api";
import { createCaller } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";

import { openStatsStreams } from "../services/live-stats";
import type { TerminalEvent } from "../services/terminals";
import { refusal } from "../test-support/refusal";
import { addHosts, IMAGE, sandboxHost, uniqueName, untracked } from "../test-support/stacks";

let deps: WharfDeps;
let owner: TestUser;
let viewer: TestUser;
let hostId: string;
let h1: SandboxHost;
const prefix = uniqueName("ctr");
const created: string[] = [];

beforeAll(async () => {
  deps = createTestDeps();
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  viewer = await createTestUser(deps, { role: "VIEWER", teamId: owner.teamId });
  hostId = (await addHosts(owner, ["h1"])).h1 ?? "";
  h1 = sandboxHost("h1");
});

afterAll(async () => {
  for (const name of created) {
    try {
      dockerCli(h1, ["rm", "-f", "-v", name]);
    } catch {
      // Already removed by the test.
    }
  }
  await closeWharfDeps(deps);
});

function run(suffix: string, args: string[], command: string[] = ["sleep", "1000000"]): string {
  const name = `${prefix}-${suffix}`;
  created.push(name);
  dockerCli(h1, ["run", "-d", "--init", "--name", name, ...args, IMAGE, ...command]);
  return name;
}

function stateOf(name: string): string {
  return dockerCli(h1, ["inspect", "-f", "{{.State.Status}}", name]).trim();
}


describe("container actions", () => {
  it("runs every lifecycle action on a real container and audits each", async () => {
    const name = run("life", []);
    const act = (action: "start" | "stop" | "restart" | "kill" | "pause" | "unpause") => owner.caller.container.action({ hostId, containerId: name, action, timeoutSeconds: 2 });
    expect(await act("pause")).toMatchObject({ name, state: "paused" });
    expect(stateOf(name)).toBe("paused");
    expect(await act("unpause")).toMatchObject({ state: "running" });
    expect(await act("stop")).toMatchObject({ state: "exited" });
    // Stopping a stopped container is not an error: the state asked for holds.
    expect(await act("stop")).toMatchObject({ state: "exited" });
    expect(await act("start")).toMatchObject({ state: "running" });
    const before = dockerCli(h1, ["inspect", "-f", "{{.State.StartedAt}}", name]);
    expect(await act("restart")).toMatchObject({ state: "running" });
    expect(dockerCli(h1, ["inspect", "-f", "{{.State.StartedAt}}", name])).not.toBe(before);
    expect(await act("kill")).toMatchObject({ state: "exited" });

    // Pausing a stopped container is refused with Docker's reason.
    const paused = await refusal(act("pause"));
    expect(paused.code).toBe("CONFLICT");
    expect(paused.message).toMatch(/not running/);

    const actions = await deps.db.auditEvent.findMany({ where: { targetId: { not: null }, action: { startsWith: "container." } }, orderBy: { createdAt: "asc" }, select: { action: true, summary: true } });
    expect(actions.map((event) => event.action)).toEqual(["container.pause", "container.unpause", "container.stop", "container.stop", "container.start", "container.restart", "container.kill"]);
    expect(actions[0]?.summary).toContain(`Paused container ${name} on h1`);
  });

  it("removes a container with its anonymous volumes only when asked, never its named ones", async () => {
    const named = `${prefix}-named`;
    const keep = run("keep", ["-v", "/anon-data"]);
    const drop = run("drop", ["-v", "/anon-data", "-v", `${named}:/named`]);
    const anonymousOf = (name: string) => dockerCli(h1, ["inspect", "-f", '{{range .Mounts}}{{if eq .Destination "/anon-data"}}{{.Name}}{{end}}{{end}}', name]).trim();
    const keptVolume = anonymousOf(keep);
    const droppedVolume = anonymousOf(drop);

    const running = await refusal(owner.caller.container.remove({ hostId, containerId: keep }));
    expect(running.code).toBe("CONFLICT");
    expect(running.message).toMatch(/running/);

    expect(await owner.caller.container.remove({ hostId, containerId: keep, force: true })).toMatchObject({ name: keep, removedVolumes: [] });
    expect(dockerCli(h1, ["volume", "ls", "-q"]).split("\n")).toContain(keptVolume);
    dockerCli(h1, ["volume", "rm", keptVolume]);

    expect(await owner.caller.container.remove({ hostId, containerId: drop, force: true, volumes: true })).toMatchObject({ name: drop, removedVolumes: [droppedVolume] });
    const volumes = dockerCli(h1, ["volume", "ls", "-q"]).split("\n");
    expect(volumes).not.toContain(droppedVolume);
    expect(volumes).toContain(named);
    dockerCli(h1, ["volume", "rm", named]);
  });

  it("refuses to act on a container that no longer exists, and says so per container in a bulk action", async () => {
    const gone = await refusal(owner.caller.container.action({ hostId, containerId: `${prefix}-never`, action: "start" }));
    expect(gone.code).toBe("NOT_FOUND");
    expect(gone.message).toMatch(/No such container/i);
    expect((await refusal(owner.caller.container.byId({ hostId, containerId: `${prefix}-never` }))).code).toBe("NOT_FOUND");

    const a = run("bulk-a", []);
    const b = run("bulk-b", []);
    const outcomes = await owner.caller.container.bulk({ hostId, containerIds: [a, `${prefix}-never`, b], action: "stop" });
    expect(outcomes).toEqual([
      { containerId: a, ok: true, name: a, state: "exited" },
      expect.objectContaining({ containerId: `${prefix}-never`, ok: false, error: expect.stringMatching(/No such container/i) as unknown }),
      { containerId: b, ok: true, name: b, state: "exited" },
    ]);
    expect(await owner.caller.container.bulk({ hostId, containerIds: [a, b], action: "remove" })).toEqual([
      { containerId: a, ok: true, name: a, state: "removed" },
      { containerId: b, ok: true, name: b, state: "removed" },
    ]);
  });

  it("is for host:write: a viewer reads but cannot act", async () => {
    const name = run("viewer", []);
    expect((await viewer.caller.container.byId({ hostId, containerId: name })).name).toBe(name);
    expect((await refusal(viewer.caller.container.action({ hostId, containerId: name, action: "stop" }))).code).toBe("FORBIDDEN");
    expect((await refusal(viewer.caller.container.revealEnv({ hostId, containerId: name }))).code).toBe("FORBIDDEN");
    expect((await refusal(viewer.caller.container.terminal({ hostId, containerId: name, cols: 80, rows: 24 }))).code).toBe("FORBIDDEN");
  });
});

describe("the container page", () => {
  it("shows limits, mounts, networks and health, hides env values until revealed, and a stack's secrets always", async () => {
    const stackName = `${prefix}-page`;
    const stack = await owner.caller.stack.create({
      name: stackName,
      targets: [{ hostId }],
      revision: {
        files: [{ path: "compose.yaml", content: `services:\n  web:\n    image: ${IMAGE}\n` }],
        env: [{ key: "GREETING", value: "hello" }],
        secrets: [{ key: "DB_PASSWORD", value: "s3cret-value-42" }],
      },
    });
    const revision = await deps.db.stackRevision.findFirstOrThrow({ where: { stackId: stack.id }, select: { id: true } });
    await deps.db.deployment.create({
      data: { stackId: stack.id, hostId, revisionId: revision.id, action: "DEPLOY", status: "SUCCEEDED", requestedByLabel: "test", startedAt: new Date(), finishedAt: new Date() },
    });
    const name = run("page", [
      "--label", `com.docker.compose.project=${stackName}`,
      "--label", "com.docker.compose.service=web",
      "--label", `dev.wharf.stack=${stack.id}`,
      "-e", "DB_PASSWORD=s3cret-value-42",
      "-e", "COPIED=s3cret-value-42",
      "-e", "GREETING=hello",
      "--memory", "64m",
      "--cpus", "0.5",
      "--cpuset-cpus", "0",
      "--ulimit", "nofile=512:1024",
      "--cap-add", "NET_ADMIN",
      "--cap-drop", "MKNOD",
      "--device", "/dev/null:/dev/wharf-null",
      "--restart", "on-failure:3",
      "--health-cmd", "true",
      "--health-interval", "1s",
      "-v", "/anon-data",
    ]);

    const page = await owner.caller.container.byId({ hostId, containerId: name });
    expect(page).toMatchObject({
      name,
      state: { status: "running", running: true },
      restartPolicy: { name: "on-failure", maximumRetryCount: 3 },
      compose: { project: stackName, service: "web" },
      stack: { id: stack.id, name: stackName },
      limits: {
        memoryBytes: 64 * 1024 * 1024,
        nanoCpus: 500_000_000,
        cpusetCpus: "0",
        ulimits: [{ name: "nofile", soft: 512, hard: 1024 }],
        // Docker reports CAP_NET_ADMIN (the form it stores): shown as the user wrote it.
        capAdd: ["NET_ADMIN"],
        capDrop: ["MKNOD"],
        devices: [{ pathOnHost: "/dev/null", pathInContainer: "/dev/wharf-null", permissions: "rwm" }],
      },
    });
    expect(page.mounts).toEqual([expect.objectContaining({ type: "volume", destination: "/anon-data", readWrite: true })]);
    expect(page.networks.map((network) => network.name)).toEqual(["bridge"]);
    expect(page.command.slice(-2)).toEqual(["sleep", "1000000"]);
    // No value leaves the server before a reveal.
    expect(JSON.stringify(page)).not.toContain("s3cret-value-42");
    expect(JSON.stringify(page)).not.toContain("hello");
    // Compose sets a container's environment in no fixed order.
    expect(page.env.filter((entry) => entry.secret).map((entry) => entry.name)).toEqual(expect.arrayContaining(["DB_PASSWORD", "COPIED"]));
    expect(page.env.filter((entry) => entry.secret)).toHaveLength(2);

    const revealed = await owner.caller.container.revealEnv({ hostId, containerId: name });
    expect(revealed).toEqual(
      expect.arrayContaining([
        { name: "DB_PASSWORD", value: null, secret: true },
        { name: "COPIED", value: null, secret: true },
        { name: "GREETING", value: "hello", secret: false },
      ]),
    );
    expect(await deps.db.auditEvent.count({ where: { action: "container.reveal-env", targetId: page.id } })).toBe(1);

    // Health checks run every second: the page shows the last ones.
    for (let tries = 0; tries < 50; tries++) {
      const health = (await owner.caller.container.byId({ hostId, containerId: name })).health;
      if (health?.status === "healthy" && health.log.length > 0) {
        expect(health.log[0]).toMatchObject({ exitCode: 0 });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error("the health check never showed healthy");
  });
});

describe("the logs of any container", () => {
  it("streams one container's lines, not its neighbours'", async () => {
    const name = run("logs", [], ["sh", "-c", "for i in 1 2 3; do echo line-$i; done; echo oops >&2; sleep 1000000"]);
    run("noise", [], ["sh", "-c", "echo noise; sleep 1000000"]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lines: { stream: string; line: string }[] = [];
    for await (const batch of untracked<{ container: string; lines: { stream: string; line: string }[] }>(
      await owner.caller.container.logs({ hostId, containerId: name, tail: "all", follow: false }),
    )) {
      expect(batch.container).toBe(name);
      lines.push(...batch.lines.map(({ stream, line }) => ({ stream, line })));
    }
    // Docker copies stdout and stderr apart and stamps each on arrival, so only each stream's own order is given.
    expect(lines.filter((entry) => entry.stream === "stdout").map((entry) => entry.line)).toEqual(["line-1", "line-2", "line-3"]);
    expect(lines.filter((entry) => entry.stream === "stderr").map((entry) => entry.line)).toEqual(["oops"]);
  });
});

/** A terminal read in the background: its output as text, and its end. */
async function openTerminal(input: { containerId: string; cols: number; rows: number; shell?: string; user?: string }) {
  const abort = new AbortController();
  const caller = createCaller({ deps, session: { userId: owner.userId }, requestedTeamId: null, ip: "127.0.0.1" }, { signal: abort.signal });
  const events = (await caller.container.terminal({ hostId, ...input })) as AsyncIterable<TerminalEvent>;
  let output = "";
  let sessionId = "";
  let pid = 0;
  let exit: number | null | undefined;
  let failure: Error | null = null;
  const done = (async () => {
    try {
      for await (const event of events) {
        if (event.type === "session") sessionId = event.sessionId;
        if (event.type === "started") pid = event.pid;
        if (event.type === "output") output += Buffer.from(event.data, "base64").toString("utf8");
        if (event.type === "exit") exit = event.code;
      }
    } catch (error) {
      if (!abort.signal.aborted) failure = error instanceof Error ? error : new Error(JSON.stringify(error));
    }
  })();
  const waitFor = async (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(output);
      if (match) return match;
      if (failure) throw failure;
      if (exit !== undefined) throw new Error(`the shell exited (code ${String(exit)}) before its output matched ${String(pattern)}; got: ${JSON.stringify(output)}`);
      if (Date.now() > deadline) throw new Error(`terminal output never matched ${String(pattern)}; got: ${JSON.stringify(output.slice(-500))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const type = (data: string) => owner.caller.container.terminalInput({ hostId, sessionId, data });
  // Busybox ash's prompt, followed by its line editor's escape sequences.
  await waitFor(/\/ [#$] /);
  return {
    abort,
    done,
    type,
    waitFor,
    resize: (cols: number, rows: number) => owner.caller.container.terminalResize({ hostId, sessionId, cols, rows }),
    get sessionId() {
      return sessionId;
    },
    get pid() {
      return pid;
    },
    get exit() {
      return exit;
    },
    clear: () => {
      output = "";
    },
  };
}

function processes(container: string): string {
  return dockerCli(h1, ["exec", container, "ps", "-o", "pid,args"]);
}

describe("the terminal", () => {
  it("gets the window's size and its resizes, runs commands, and leaves nothing running once closed", async () => {
    const name = run("term", []);
    const terminal = await openTerminal({ containerId: name, cols: 100, rows: 30 });
    onTestFinished(() => terminal.abort.abort());
    expect(terminal.pid).toBeGreaterThan(0);
    await terminal.type("stty size\n");
    await terminal.waitFor(/^30 100\r?$/m);
    await terminal.resize(132, 43);
    terminal.clear();
    await terminal.type("stty size; echo marker-$((6*7))\n");
    await terminal.waitFor(/^43 132\r?$/m);
    await terminal.waitFor(/^marker-42\r?$/m);

    // A background job and a foreground one: both must go with the session.
    await terminal.type("sleep 4242 &\n");
    await terminal.type("sleep 4343\n");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(processes(name)).toMatch(/sleep 4343/);
    terminal.abort.abort();
    await terminal.done;

    let left = "";
    for (let tries = 0; tries < 50; tries++) {
      left = processes(name);
      if (!/sleep 4[23]4[23]/.test(left) && !new RegExp(`^\\s*${terminal.pid}\\s`, "m").test(left)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(left).not.toMatch(/sleep 4[23]4[23]/);
    expect(left).not.toMatch(new RegExp(`^\\s*${terminal.pid}\\s`, "m"));
    expect((await refusal(terminal.type("echo late\n"))).code).toBe("NOT_FOUND");

    const audit = await deps.db.auditEvent.findMany({ where: { action: { startsWith: "terminal." } }, orderBy: { createdAt: "asc" }, select: { action: true, actorId: true, targetId: true, data: true } });
    expect(audit.map((event) => [event.action, event.actorId, event.targetId])).toEqual([
      ["terminal.open", owner.userId, name],
      ["terminal.close", owner.userId, name],
    ]);
    expect(audit[1]?.data).toMatchObject({ sessionId: terminal.sessionId, exitCode: null, startedAt: expect.any(String) as unknown, endedAt: expect.any(String) as unknown });
  });

  it("ends with the shell's exit code, honours the shell and user asked for, and refuses a stopped container", async () => {
    const name = run("term-exit", []);
    // The test image has no /etc/passwd: a uid:gid needs none.
    const terminal = await openTerminal({ containerId: name, cols: 80, rows: 24, shell: "/bin/ash", user: "65534:65534" });
    onTestFinished(() => terminal.abort.abort());
    await terminal.type("id -u; echo $0\n");
    await terminal.waitFor(/^65534\r?$/m);
    await terminal.waitFor(/^\/bin\/ash\r?$/m);
    await terminal.type("exit 3\n");
    await terminal.done;
    expect(terminal.exit).toBe(3);
    const closed = await deps.db.auditEvent.findFirst({ where: { action: "terminal.close", data: { path: ["sessionId"], equals: terminal.sessionId } }, select: { summary: true } });
    expect(closed?.summary).toMatch(/the shell exited with code 3/);

    dockerCli(h1, ["stop", "-t", "1", name]);
    const stopped = await refusal(owner.caller.container.terminal({ hostId, containerId: name, cols: 80, rows: 24 }));
    expect(stopped.code).toBe("CONFLICT");
    expect(stopped.message).toMatch(/not running: start it/);
  });
});

describe("live resources", () => {
  it("streams samples of the host's containers to several viewers over one agent stream, closed when they leave", async () => {
    const name = run("stats", [], ["sh", "-c", "while true; do :; done"]);
    const viewers = [new AbortController(), new AbortController()];
    const streams = await Promise.all(
      viewers.map(async (abort) => {
        const caller = createCaller({ deps, session: { userId: owner.userId }, requestedTeamId: null, ip: "127.0.0.1" }, { signal: abort.signal });
        return (await caller.stats.host({ hostId }))[Symbol.asyncIterator]();
      }),
    );
    for (const stream of streams) expect((await stream.next()).value).toMatchObject({ type: "history" });
    expect(openStatsStreams(deps)).toBe(1);
    for (const stream of streams) {
      for (;;) {
        const { value } = await stream.next();
        const mine = value?.type === "sample" ? value.sample.containers.find((container) => container.name === name) : undefined;
        if (!mine) continue;
        // A busy loop: well above idle.
        expect(mine.cpuPercent).toBeGreaterThan(10);
        expect(mine.memoryUsageBytes).toBeGreaterThan(0);
        break;
      }
    }
    for (const abort of viewers) abort.abort();
    for (const stream of streams) await stream.return?.();
    expect(openStatsStreams(deps)).toBe(0);
    dockerCli(h1, ["rm", "-f", name]);
  });
});
