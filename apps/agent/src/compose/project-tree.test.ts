import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { composeProject, type ComposeProjectInput, composeTreePutParams } from "@wharf/agent-protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { AgentFailure } from "../failure";
import { type AgentDirs, agentDirs, blobsDir, missingBlobs, projectContent, sha256Of, storeBlobs, withScratchProject, writeProject } from "./project-dir";

let dirs: AgentDirs;

beforeEach(() => {
  dirs = agentDirs(path.join(mkdtempSync(path.join(os.tmpdir(), "wharf-project-tree-")), "agent.sock"));
});
afterEach(() => rmSync(dirs.data, { recursive: true, force: true }));

const blob = (text: string) => ({ sha256: sha256Of(Buffer.from(text)), data: Buffer.from(text) });

const project = (input: Partial<ComposeProjectInput> = {}) =>
  composeProject.parse({ name: "shop", files: [{ path: "compose.yaml", content: "services: {}\n" }], ...input });

const write = (input: ReturnType<typeof project>) => writeProject(dirs, input.name, projectContent(input, undefined));
const mode = (file: string): number => statSync(file).mode & 0o777;

describe("project tree", () => {
  it("reports the blobs it lacks, stores only blobs whose content matches their hash, and writes the tree with its modes", async () => {
    const dockerfile = blob("FROM scratch\n");
    const script = blob("#!/bin/sh\necho hi\n");
    const secret = blob("s3cret\n");
    expect(await missingBlobs(dirs, "shop", [dockerfile.sha256, script.sha256])).toEqual([dockerfile.sha256, script.sha256]);
    await expect(storeBlobs(dirs, "shop", [{ sha256: dockerfile.sha256, data: Buffer.from("tampered") }])).rejects.toThrow(/damaged on the way/);
    await storeBlobs(dirs, "shop", [dockerfile, script, secret]);
    expect(await missingBlobs(dirs, "shop", [dockerfile.sha256, script.sha256])).toEqual([]);
    expect(mode(blobsDir(dirs, "shop"))).toBe(0o700);

    await write(
      project({
        tree: [
          { path: "app/Dockerfile", sha256: dockerfile.sha256, mode: 0o644 },
          { path: "app/run.sh", sha256: script.sha256, mode: 0o755 },
          { path: "secrets/token.txt", sha256: secret.sha256, mode: 0o600 },
        ],
      }),
    );
    const dir = path.join(dirs.stacks, "shop");
    expect(readFileSync(path.join(dir, "app/Dockerfile"), "utf8")).toBe("FROM scratch\n");
    expect(mode(path.join(dir, "app/Dockerfile"))).toBe(0o644);
    expect(mode(path.join(dir, "app/run.sh"))).toBe(0o755);
    expect(mode(path.join(dir, "secrets/token.txt"))).toBe(0o600);
  });

  it("removes tree files the next revision no longer has", async () => {
    const a = blob("a");
    const b = blob("b");
    await storeBlobs(dirs, "shop", [a, b]);
    await write(project({ tree: [{ path: "conf/a.txt", sha256: a.sha256, mode: 0o644 }, { path: "conf/b.txt", sha256: b.sha256, mode: 0o644 }] }));
    await write(project({ tree: [{ path: "conf/b.txt", sha256: b.sha256, mode: 0o644 }] }));
    const dir = path.join(dirs.stacks, "shop");
    expect(existsSync(path.join(dir, "conf/a.txt"))).toBe(false);
    expect(readFileSync(path.join(dir, "conf/b.txt"), "utf8")).toBe("b");
  });

  it("rewrites a changed file in place, so a service bind-mounting that one file sees the change, and leaves an unchanged one alone", async () => {
    const before = blob("v1");
    const after = blob("v2");
    const other = blob("same");
    await storeBlobs(dirs, "shop", [before, after, other]);
    await write(project({ tree: [{ path: "app.conf", sha256: before.sha256, mode: 0o644 }, { path: "other.txt", sha256: other.sha256, mode: 0o644 }] }));
    const dir = path.join(dirs.stacks, "shop");
    const inode = statSync(path.join(dir, "app.conf")).ino;
    const untouched = statSync(path.join(dir, "other.txt")).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await write(project({ tree: [{ path: "app.conf", sha256: after.sha256, mode: 0o644 }, { path: "other.txt", sha256: other.sha256, mode: 0o644 }] }));
    expect(statSync(path.join(dir, "app.conf")).ino).toBe(inode);
    expect(readFileSync(path.join(dir, "app.conf"), "utf8")).toBe("v2");
    expect(statSync(path.join(dir, "other.txt")).mtimeMs).toBe(untouched);
  });

  it("says which file's content is missing instead of writing a partial tree", async () => {
    const a = blob("a");
    await expect(write(project({ tree: [{ path: "a.txt", sha256: a.sha256, mode: 0o644 }] }))).rejects.toThrow(/content of a\.txt .* is not on the host/);
  });

  it("never writes a tree file through a symlinked directory", async () => {
    const a = blob("a");
    await storeBlobs(dirs, "shop", [a]);
    await write(project());
    const outside = mkdtempSync(path.join(os.tmpdir(), "wharf-outside-"));
    try {
      symlinkSync(outside, path.join(dirs.stacks, "shop", "conf"));
      const failure = await write(project({ tree: [{ path: "conf/a.txt", sha256: a.sha256, mode: 0o644 }] })).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(AgentFailure);
      expect(String(failure)).toMatch(/is a symlink/);
      expect(existsSync(path.join(outside, "a.txt"))).toBe(false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("replaces a symlink at a tree file's place instead of writing through it", async () => {
    const a = blob("new");
    await storeBlobs(dirs, "shop", [a]);
    await write(project());
    const victim = path.join(dirs.data, "victim.txt");
    writeFileSync(victim, "keep");
    mkdirSync(path.join(dirs.stacks, "shop", "conf"));
    symlinkSync(victim, path.join(dirs.stacks, "shop", "conf", "a.txt"));
    await write(project({ tree: [{ path: "conf/a.txt", sha256: a.sha256, mode: 0o644 }] }));
    expect(readFileSync(victim, "utf8")).toBe("keep");
    expect(readFileSync(path.join(dirs.stacks, "shop", "conf", "a.txt"), "utf8")).toBe("new");
  });

  it("refuses paths leaving the directory, a blob named by anything but a hash, and a tree path clashing with a compose file", () => {
    const hash = blob("a").sha256;
    for (const bad of ["../escape.txt", "/etc/passwd", "a/../../b", ".env", ".wharf-x"]) {
      expect(composeProject.safeParse({ name: "shop", files: [{ path: "compose.yaml", content: "" }], tree: [{ path: bad, sha256: hash, mode: 0o644 }] }).success).toBe(false);
    }
    expect(composeTreePutParams.safeParse({ name: "shop", blobs: [{ sha256: "../../x", data: "" }] }).success).toBe(false);
    expect(composeProject.safeParse({ name: "shop", files: [{ path: "compose.yaml", content: "" }], tree: [{ path: "compose.yaml", sha256: hash, mode: 0o644 }] }).success).toBe(false);
    expect(composeProject.safeParse({ name: "shop", files: [{ path: "compose.yaml", content: "" }], tree: [{ path: "x", sha256: hash, mode: 0o777 }] }).success).toBe(false);
  });

  it("gives a scratch copy the same tree", async () => {
    const a = blob("a");
    await storeBlobs(dirs, "shop", [a]);
    const input = project({ tree: [{ path: "conf/a.txt", sha256: a.sha256, mode: 0o644 }] });
    const seen = await withScratchProject(dirs, "shop", projectContent(input, undefined), (scratch) => Promise.resolve(readFileSync(path.join(scratch.dir, "conf/a.txt"), "utf8")));
    expect(seen).toBe("a");
  });
});
