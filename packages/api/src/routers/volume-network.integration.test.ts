import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, type TestUser } from "@wharf/testing/api";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { refusal } from "../test-support/refusal";
import { IMAGE, ownerWithHosts, uniqueName } from "../test-support/stacks";

let deps: WharfDeps;
let owner: TestUser;
let hostId: string;
let h1: SandboxHost;
const prefix = uniqueName("vn");
const containers: string[] = [];
const volumes: string[] = [];
const networks: string[] = [];

beforeAll(async () => {
  ({ deps, owner, hostIds: { h1: hostId }, hosts: { h1 } } = await ownerWithHosts(["h1"]));
});

afterAll(async () => {
  const quietly = (args: string[]) => {
    try {
      dockerCli(h1, args);
    } catch {
      // Already gone.
    }
  };
  for (const name of containers) quietly(["rm", "-f", name]);
  for (const name of volumes) quietly(["volume", "rm", "-f", name]);
  for (const name of networks) quietly(["network", "rm", name]);
  await closeWharfDeps(deps);
});


describe("volumes", () => {
  it("creates one, shows who uses it and its size, refuses to remove it while used, then prunes what nobody uses", async () => {
    const used = `${prefix}-used`;
    const spare = `${prefix}-spare`;
    volumes.push(used, spare);
    // The prune below is limited to this label: other volumes of the shared host stay.
    const mine = { purpose: "test", run: prefix };
    expect(await owner.caller.volume.create({ hostId, name: used, labels: mine })).toEqual({ name: used, driver: "local" });
    expect((await refusal(owner.caller.volume.create({ hostId, name: used }))).code).toBe("CONFLICT");
    await owner.caller.volume.create({ hostId, name: spare, labels: mine });
    expect(dockerCli(h1, ["volume", "inspect", "-f", "{{.Labels.purpose}}", used]).trim()).toBe("test");

    const writer = `${prefix}-writer`;
    containers.push(writer);
    // Stopped, it still uses the volume.
    dockerCli(h1, ["run", "--name", writer, "-v", `${used}:/data`, IMAGE, "sh", "-c", "head -c 100000 /dev/zero > /data/blob"]);
    const usage = await owner.caller.volume.usage({ hostId });
    const entry = usage.find((volume) => volume.name === used);
    expect(entry?.containers).toEqual([{ id: expect.any(String) as unknown, name: writer }]);
    expect(entry?.sizeBytes).toBeGreaterThanOrEqual(100_000);

    const inUse = await refusal(owner.caller.volume.remove({ hostId, name: used }));
    expect(inUse.code).toBe("CONFLICT");
    expect(inUse.message).toContain(`in use by ${writer}`);

    const label = `run=${prefix}`;
    const preview = await owner.caller.volume.prune({ hostId, dryRun: true, label });
    expect(preview.volumes.map((volume) => volume.name)).toEqual([spare]);
    const pruned = await owner.caller.volume.prune({ hostId, dryRun: false, label });
    expect(pruned.volumes.map((volume) => volume.name)).toEqual([spare]);
    expect(dockerCli(h1, ["volume", "ls", "-q"]).split("\n")).toContain(used);
    expect(dockerCli(h1, ["volume", "ls", "-q"]).split("\n")).not.toContain(spare);

    dockerCli(h1, ["rm", writer]);
    expect(await owner.caller.volume.remove({ hostId, name: used })).toEqual({ name: used });
    expect((await refusal(owner.caller.volume.remove({ hostId, name: used }))).code).toBe("NOT_FOUND");
    const audited = await deps.db.auditEvent.findMany({ where: { action: { startsWith: "volume." } }, select: { action: true } });
    expect(audited.map((event) => event.action).sort()).toEqual(["volume.create", "volume.create", "volume.prune", "volume.remove"]);
  });
});

describe("networks", () => {
  it("creates an internal bridge with its subnet, connects and disconnects a container, and refuses removal while attached", async () => {
    const name = `${prefix}-net`;
    networks.push(name);
    const created = await owner.caller.network.create({ hostId, name, internal: true, subnet: "10.197.77.0/24", gateway: "10.197.77.1" });
    expect(created.name).toBe(name);
    expect(dockerCli(h1, ["network", "inspect", "-f", "{{.Internal}} {{.Driver}} {{range .IPAM.Config}}{{.Subnet}}{{end}}", name]).trim()).toBe("true bridge 10.197.77.0/24");

    const box = `${prefix}-box`;
    containers.push(box);
    dockerCli(h1, ["run", "-d", "--init", "--name", box, IMAGE, "sleep", "1000000"]);
    await owner.caller.network.connect({ hostId, network: name, container: box, aliases: ["db"] });
    expect(dockerCli(h1, ["inspect", "-f", `{{(index .NetworkSettings.Networks "${name}").IPAddress}}`, box]).trim()).toMatch(/^10\.197\.77\./);
    expect((await owner.caller.network.usage({ hostId })).find((network) => network.name === name)?.containers.map((c) => c.name)).toEqual([box]);

    const attached = await refusal(owner.caller.network.remove({ hostId, network: name }));
    expect(attached.code).toBe("CONFLICT");
    expect(attached.message).toContain(`in use by ${box}`);
    expect((await refusal(owner.caller.network.remove({ hostId, network: "bridge" }))).code).toBe("CONFLICT");

    await owner.caller.network.disconnect({ hostId, network: name, container: box });
    expect(dockerCli(h1, ["inspect", "-f", "{{len .NetworkSettings.Networks}}", box]).trim()).toBe("1");
    expect((await owner.caller.network.remove({ hostId, network: name })).name).toBe(name);
    expect((await refusal(owner.caller.network.remove({ hostId, network: name }))).code).toBe("NOT_FOUND");
  });
});
