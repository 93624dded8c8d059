import type { PullProgress } from "@wharf/agent-protocol";
import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, type TestUser } from "@wharf/testing/api";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { BASE_IMAGE, buildTestImage } from "@wharf/testing/test-images";
import { startTestRegistry } from "@wharf/testing/test-registry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { refusal } from "../test-support/refusal";
import { ownerWithHosts, uniqueName } from "../test-support/stacks";

let deps: WharfDeps;
let owner: TestUser;
let hostId: string;
let h1: SandboxHost;
const prefix = uniqueName("img");
// Every image this file builds carries it, so prunes stay within them on the shared host.
const label = `wharf.test.run=${prefix}`;
const user = `${prefix}-user`;
let first = "";
let second = "";
let stale = "";

const ids = (images: { id: string }[]) => images.map((image) => image.id).sort();
const present = () => new Set(dockerCli(h1, ["images", "-a", "-q", "--no-trunc"]).split("\n").filter(Boolean));

beforeAll(async () => {
  ({ deps, owner, hostIds: { h1: hostId }, hosts: { h1 } } = await ownerWithHosts(["h1"]));
  const labelled = `LABEL ${label}`;
  first = buildTestImage(h1, `${prefix}-first:1`, [labelled, "ENV GREETING=hello", `RUN echo first-${prefix} > /first.txt`]);
  // 4 MiB that do not compress: a layer whose download Docker reports while it runs. A tiny one
  // arrives in one read, and Docker may fold its only "Downloading" frame into "Download complete".
  second = buildTestImage(h1, `${prefix}-second:1`, [labelled, `RUN echo second-${prefix} > /second.txt && head -c 4194304 /dev/urandom > /second.bin`]);
  // Rebuilding a tag leaves the old image behind without one: dangling.
  stale = buildTestImage(h1, `${prefix}-stale:1`, [labelled, `RUN echo old-${prefix} > /stale.txt`]);
  buildTestImage(h1, `${prefix}-stale:1`, [labelled, `RUN echo new-${prefix} > /stale.txt`]);
  dockerCli(h1, ["create", "--name", user, `${prefix}-first:1`, "true"]);
}, 180_000);

afterAll(async () => {
  const quietly = (args: string[]) => {
    try {
      dockerCli(h1, args);
    } catch {
      // Already gone.
    }
  };
  quietly(["rm", "-f", user]);
  quietly(["image", "prune", "-a", "-f", "--filter", `label=${label}`]);
  await closeWharfDeps(deps);
});

describe("images", () => {
  it("lists each image with the containers using it, and the dangling ones", async () => {
    const images = await owner.caller.host.images({ hostId });
    const used = images.find((image) => image.id === first);
    expect(used).toMatchObject({ repoTags: [`${prefix}-first:1`], containers: 1, containerNames: [user], untagged: null });
    expect(used?.sizeBytes).toBeGreaterThan(0);
    expect(Date.parse(used?.createdAt ?? "")).not.toBeNaN();
    expect(images.find((image) => image.id === stale)).toMatchObject({ repoTags: [], untagged: "dangling", containers: 0, containerNames: [] });
  });

  it("shows the history with empty layers marked and the layers shared with another image built on the same base", async () => {
    const detail = await owner.caller.image.inspect({ hostId, image: `${prefix}-first:1` });
    expect(detail.id).toBe(first);
    expect(detail.containers.map((container) => container.name)).toEqual([user]);
    const env = detail.history.find((entry) => entry.createdBy.includes("ENV GREETING=hello"));
    expect(env).toMatchObject({ emptyLayer: true, layer: null, sharedWith: [] });
    const own = detail.history.find((entry) => entry.createdBy.includes(`echo first-${prefix}`));
    expect(own?.emptyLayer).toBe(false);
    expect(own?.layer).toMatch(/^sha256:/);
    expect(own?.sharedWith).toEqual([]);
    // Newest first: the oldest entry is the base image's busybox layer, which the second image holds too.
    const baseLayer = detail.history.at(-1 - detail.history.slice().reverse().findIndex((entry) => !entry.emptyLayer));
    expect(baseLayer?.layer).toBe(detail.layers[0]);
    const sharers = baseLayer?.sharedWith.map((image) => image.id) ?? [];
    expect(sharers).toContain(second);
    expect(baseLayer?.sharedWith.flatMap((image) => image.repoTags)).toContain(BASE_IMAGE);
    expect(detail.history.filter((entry) => !entry.emptyLayer)).toHaveLength(detail.layers.length);
  });

  it("refuses to remove an image a container uses, naming the container", async () => {
    const inUse = await refusal(owner.caller.image.remove({ hostId, image: `${prefix}-first:1` }));
    expect(inUse.code).toBe("CONFLICT");
    expect(inUse.message).toContain(`used by ${user}`);
    expect(present()).toContain(first);
  });

  it("pulls with per-layer progress from a registry", async () => {
    const registry = await startTestRegistry();
    try {
      const remote = `${registry.address}/wharf-test/${prefix}:1`;
      dockerCli(h1, ["tag", `${prefix}-second:1`, remote]);
      dockerCli(h1, ["push", remote]);
      // Only the base stays local: the second image's own layer comes back through the pull.
      dockerCli(h1, ["rmi", remote, `${prefix}-second:1`]);
      expect(present()).not.toContain(second);
      const frames: PullProgress[] = [];
      for await (const frame of await owner.caller.image.pull({ hostId, reference: remote })) frames.push(frame);
      const layers = frames.filter((frame) => frame.kind === "layer");
      expect(layers.some((frame) => frame.kind === "layer" && frame.status === "Already exists")).toBe(true);
      expect(layers.some((frame) => frame.kind === "layer" && frame.status === "Pull complete")).toBe(true);
      expect(layers.some((frame) => frame.kind === "layer" && frame.status === "Downloading" && (frame.totalBytes ?? 0) > 0)).toBe(true);
      const done = frames.at(-1);
      expect(done).toMatchObject({ kind: "done", digest: expect.stringMatching(/^sha256:/) as unknown });
      expect(present()).toContain(done?.kind === "done" ? done.id : "");
      const missing = await refusal((async () => {
        for await (const frame of await owner.caller.image.pull({ hostId, reference: `${registry.address}/wharf-test/${prefix}-missing:1` })) void frame;
      })());
      expect(missing.message).toMatch(/not found|manifest unknown/);
    } finally {
      await registry.stop();
    }
    const audited = await deps.db.auditEvent.findMany({ where: { action: "image.pull" }, select: { summary: true } });
    expect(audited).toHaveLength(1);
  });

  it("prunes exactly what the preview listed, dangling first, then everything unused", async () => {
    for (const scope of ["dangling", "unused"] as const) {
      const before = present();
      const preview = await owner.caller.image.prune({ hostId, scope, dryRun: true, label });
      expect(preview.images.length).toBeGreaterThan(0);
      if (scope === "dangling") expect(ids(preview.images)).toContain(stale);
      const pruned = await owner.caller.image.prune({ hostId, scope, dryRun: false, label });
      const after = present();
      const gone = [...before].filter((id) => !after.has(id)).sort();
      expect(ids(preview.images)).toEqual(gone);
      expect(ids(pruned.images)).toEqual(gone);
      expect(preview.spaceReclaimedBytes).toBe(pruned.spaceReclaimedBytes);
    }
    // The used image and the shared base stay.
    expect(present()).toContain(first);
    expect(dockerCli(h1, ["images", "-q", BASE_IMAGE]).trim()).not.toBe("");
    const audited = await deps.db.auditEvent.findMany({ where: { action: "image.prune" }, select: { summary: true } });
    expect(audited).toHaveLength(2);

    dockerCli(h1, ["rm", user]);
    const removed = await owner.caller.image.remove({ hostId, image: `${prefix}-first:1` });
    expect(removed.untagged).toEqual([`${prefix}-first:1`]);
    expect(removed.deleted).toContain(first);
    expect(present()).not.toContain(first);
  });
});
