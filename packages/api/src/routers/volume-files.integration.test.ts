import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, type TestUser } from "@wharf/testing/api";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { dockerQuietly } from "../test-support/docker-cleanup";
import { refusal } from "../test-support/refusal";
import { IMAGE, ownerWithHosts, uniqueName } from "../test-support/stacks";

let deps: WharfDeps;
let owner: TestUser;
let hostId: string;
let h1: SandboxHost;
const volume = uniqueName("vf");
const writer = `${volume}-writer`;

const readers = (): string[] =>
  dockerCli(h1, ["ps", "-a", "-q", "--filter", "label=com.wharf.helper=volume-reader"])
    .split("\n")
    .filter(Boolean);

beforeAll(async () => {
  ({ deps, owner, hostIds: { h1: hostId }, hosts: { h1 } } = await ownerWithHosts(["h1"]));
  // What a real service leaves in its volume: text, binary bytes, nested folders, a crowd of files, a link out of the volume.
  const script = [
    "mkdir -p /data/conf/deep /data/many",
    "printf 'port=8080\\nname=wharf\\n' > /data/conf/app.ini",
    "printf 'x' > /data/conf/deep/leaf",
    "printf '\\000\\001\\002\\377binary' > /data/blob.bin",
    "head -c 1500000 /dev/zero | tr '\\0' 'a' > /data/big.txt",
    "for i in $(seq 1 25); do echo $i > /data/many/f$(printf %02d $i); done",
    "ln -s /etc/passwd /data/passwd-link",
  ].join(" && ");
  dockerCli(h1, ["run", "--name", writer, "-v", `${volume}:/data`, IMAGE, "sh", "-c", script]);
});

afterAll(async () => {
  dockerQuietly(h1, ["rm", "-f", writer], ["volume", "rm", "-f", volume]);
  await closeWharfDeps(deps);
});

describe("volume files", () => {
  it("lists a volume a container wrote, page by page, views a text file and downloads a binary one, leaving no helper behind", async () => {
    const root = await owner.caller.volume.browse({ hostId, name: volume });
    expect(root.entries.map((entry) => [entry.name, entry.type])).toEqual([
      ["big.txt", "file"],
      ["blob.bin", "file"],
      ["conf", "directory"],
      ["many", "directory"],
      ["passwd-link", "symlink"],
    ]);
    expect(root.entries.find((entry) => entry.name === "conf")?.sizeBytes).toBe(22);
    expect(root.entries.find((entry) => entry.name === "passwd-link")?.linkTarget).toBe("/etc/passwd");
    expect(root.nextAfter).toBeNull();

    const names: string[] = [];
    let after: string | undefined;
    do {
      const page = await owner.caller.volume.browse({ hostId, name: volume, path: "many", limit: 10, ...(after ? { after } : {}) });
      expect(page.entries.length).toBeLessThanOrEqual(10);
      names.push(...page.entries.map((entry) => entry.name));
      after = page.nextAfter ?? undefined;
    } while (after);
    expect(names).toEqual(Array.from({ length: 25 }, (_, index) => `f${String(index + 1).padStart(2, "0")}`));

    const ini = await owner.caller.volume.readFile({ hostId, name: volume, path: "conf/app.ini", purpose: "view" });
    expect(Buffer.from(ini.contentBase64, "base64").toString()).toBe("port=8080\nname=wharf\n");
    expect(ini).toMatchObject({ path: "conf/app.ini", sizeBytes: 21, truncated: false, binary: false });

    const big = await owner.caller.volume.readFile({ hostId, name: volume, path: "big.txt", purpose: "view" });
    expect(big).toMatchObject({ sizeBytes: 1_500_000, truncated: true, binary: false });
    expect(Buffer.from(big.contentBase64, "base64")).toHaveLength(1024 * 1024);

    const blob = await owner.caller.volume.readFile({ hostId, name: volume, path: "/blob.bin", purpose: "download" });
    expect(blob.binary).toBe(true);
    expect(Buffer.from(blob.contentBase64, "base64")).toEqual(Buffer.from([0, 1, 2, 255, ...Buffer.from("binary")]));

    expect(readers()).toEqual([]);
    const audited = await deps.db.auditEvent.findMany({ where: { action: { startsWith: "volume." } }, select: { action: true, targetId: true } });
    expect(new Set(audited.map((event) => event.action))).toEqual(new Set(["volume.browse", "volume.view-file", "volume.download-file"]));
    expect(audited.every((event) => event.targetId === volume)).toBe(true);
  });

  it("refuses paths that leave the volume, links, folders read as files, and volumes that do not exist (without creating them)", async () => {
    for (const path of ["../", "conf/../../etc", "./conf"]) {
      expect((await refusal(owner.caller.volume.browse({ hostId, name: volume, path }))).code, path).toBe("BAD_REQUEST");
    }
    const link = await refusal(owner.caller.volume.readFile({ hostId, name: volume, path: "passwd-link", purpose: "view" }));
    expect(link.message).toContain("symbolic link to /etc/passwd");
    const folder = await refusal(owner.caller.volume.readFile({ hostId, name: volume, path: "conf", purpose: "download" }));
    expect(folder.message).toContain("is a directory");
    const file = await refusal(owner.caller.volume.browse({ hostId, name: volume, path: "conf/app.ini" }));
    expect(file.message).toContain("is a file");
    expect((await refusal(owner.caller.volume.readFile({ hostId, name: volume, path: "conf/missing", purpose: "view" }))).code).toBe("NOT_FOUND");

    const missing = `${volume}-missing`;
    expect((await refusal(owner.caller.volume.browse({ hostId, name: missing }))).code).toBe("NOT_FOUND");
    expect(dockerCli(h1, ["volume", "ls", "-q"]).split("\n")).not.toContain(missing);
    expect(readers()).toEqual([]);
  });
});
