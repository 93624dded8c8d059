import os from "node:os";

import type { WharfDeps } from "@wharf/api";
import { createCaller } from "@wharf/api";
import { closeWharfDeps, type TestUser } from "@wharf/testing/api";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { dockerQuietly } from "../test-support/docker-cleanup";
import { IMAGE, ownerWithHosts, uniqueName } from "../test-support/stacks";

let deps: WharfDeps;
let owner: TestUser;
let hostId: string;
let h1: SandboxHost;
const prefix = uniqueName("obs");
const container = `${prefix}-ticker`;
const volume = `${prefix}-data`;

beforeAll(async () => {
  ({ deps, owner, hostIds: { h1: hostId }, hosts: { h1 } } = await ownerWithHosts(["h1"]));
});

afterAll(async () => {
  dockerQuietly(h1, ["rm", "-f", container], ["volume", "rm", "-f", volume]);
  await closeWharfDeps(deps);
});

async function openTimeline(types: string[], abort: AbortController) {
  const caller = createCaller({ deps, session: { userId: owner.userId }, requestedTeamId: null, ip: "127.0.0.1" }, { signal: abort.signal });
  return (await caller.dockerEvents.live({ hostId, types }))[Symbol.asyncIterator]();
}

describe("events timeline", () => {
  it("delivers a real container's events as they happen, each viewer only the types it filters on", async () => {
    const containersOnly = new AbortController();
    const volumesOnly = new AbortController();
    const containerEvents = await openTimeline(["container"], containersOnly);
    const volumeEvents = await openTimeline(["volume"], volumesOnly);

    dockerCli(h1, ["volume", "create", volume]);
    dockerCli(h1, ["run", "-d", "--name", container, IMAGE, "sh", "-c", "sleep 30"]);
    dockerCli(h1, ["rm", "-f", container]);

    // The shared host has other users: events of other objects may arrive too, but never of another type.
    const seen: string[] = [];
    while (!seen.includes("destroy")) {
      const { value } = await containerEvents.next();
      if (!value) throw new Error("the container timeline ended early");
      expect(value.type).toBe("container");
      if (value.attributes.name === container) seen.push(value.action);
    }
    expect(seen).toEqual(expect.arrayContaining(["create", "start", "kill", "die", "destroy"]));
    expect(seen.indexOf("create")).toBeLessThan(seen.indexOf("start"));

    for (;;) {
      const { value } = await volumeEvents.next();
      if (!value) throw new Error("the volume timeline ended early");
      expect(value.type).toBe("volume");
      if (value.actorId === volume && value.action === "create") {
        expect(value.time).toBeGreaterThan(Date.now() - 120_000);
        break;
      }
    }
    containersOnly.abort();
    volumesOnly.abort();
    await containerEvents.return?.();
    await volumeEvents.return?.();
  });
});

describe("host usage", () => {
  it("reports the machine's CPU, memory and data-directory disk, and counts what a container wrote into a volume", async () => {
    const before = await owner.caller.stats.usage({ hostId });
    dockerCli(h1, ["run", "--rm", "-v", `${volume}:/data`, IMAGE, "sh", "-c", "head -c 20000000 /dev/zero > /data/blob"]);
    const after = await owner.caller.stats.usage({ hostId });

    expect(after.cpu.cores).toBe(os.cpus().length);
    expect(after.cpu.usedPercent).toBeGreaterThanOrEqual(0);
    expect(after.cpu.usedPercent).toBeLessThanOrEqual(100);
    // The sandbox hosts share this machine's kernel.
    expect(after.memory.totalBytes).toBe(os.totalmem());
    expect(after.memory.usedBytes).toBeGreaterThan(0);
    expect(after.docker.rootDir).toBe((await owner.caller.host.byId({ hostId })).facts?.docker.rootDir);
    expect(after.disk?.path).toBe(after.docker.rootDir);
    expect(after.disk?.totalBytes).toBeGreaterThan(after.disk?.usedBytes ?? Infinity);
    expect(after.docker.imagesBytes).toBeGreaterThan(0);
    expect(after.docker.volumesBytes - before.docker.volumesBytes).toBeGreaterThanOrEqual(20_000_000);
    expect(after.docker.totalBytes).toBe(after.docker.imagesBytes + after.docker.containersBytes + after.docker.volumesBytes + after.docker.buildCacheBytes);
  });
});
