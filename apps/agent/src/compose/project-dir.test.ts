import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { composeProject, type ComposeProjectInput } from "@wharf/agent-protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { AgentFailure } from "../failure";
import { type AgentDirs, agentDirs, projectContent, removeProject, resolveProjectFile, withScratchProject, writeProject as writeContent } from "./project-dir";

let dirs: AgentDirs;
let root: string;

beforeEach(() => {
  dirs = agentDirs(path.join(mkdtempSync(path.join(os.tmpdir(), "wharf-project-dir-")), "agent.sock"));
  root = dirs.stacks;
});
afterEach(() => rmSync(dirs.data, { recursive: true, force: true }));

const writeProject = (_root: string, input: ReturnType<typeof project>, dotenv?: string) => writeContent(dirs, input.name, projectContent(input, dotenv));

const project = (input: Partial<ComposeProjectInput> = {}) =>
  composeProject.parse({
    name: "shop",
    files: [
      { path: "docker-compose.sample-service.yaml", content: "services: {}\n" },
      { path: "service/docker-compose.service.yaml", content: "services: {}\n" },
    ],
    ...input,
  });

const mode = (file: string): number => statSync(file).mode & 0o777;

describe("writeProject", () => {
  it("writes the files, the dotenv and owner-only modes, and lists compose files in -f order", async () => {
    const layout = await writeProject(root, project({ overrideFiles: [{ path: "wharf/limits.yaml", content: "services: {}\n" }] }), "TAG=1\n");
    const dir = path.join(root, "shop");
    expect(layout).toEqual({
      dir,
      composeFiles: [
        path.join(dir, "docker-compose.sample-service.yaml"),
        path.join(dir, "service/docker-compose.service.yaml"),
        path.join(dir, "wharf/limits.yaml"),
      ],
    });
    expect(mode(root)).toBe(0o700);
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.join(dir, "service"))).toBe(0o700);
    expect(readFileSync(path.join(dir, ".env"), "utf8")).toBe("TAG=1\n");
    expect(mode(path.join(dir, ".env"))).toBe(0o600);
    expect(mode(path.join(dir, "service/docker-compose.service.yaml"))).toBe(0o600);
  });

  it("removes files it wrote before that the project no longer has, and leaves other files alone", async () => {
    await writeProject(root, project(), "A=1\n");
    const dir = path.join(root, "shop");
    // What a container wrote through a bind mount of ./data.
    mkdirSync(path.join(dir, "data"));
    writeFileSync(path.join(dir, "data/db.sqlite"), "rows");
    await writeProject(root, project({ files: [{ path: "docker-compose.sample-service.yaml", content: "services: {a: {image: x}}\n" }] }));
    expect(readFileSync(path.join(dir, "docker-compose.sample-service.yaml"), "utf8")).toContain("image: x");
    expect(existsSync(path.join(dir, "service"))).toBe(false);
    expect(existsSync(path.join(dir, ".env"))).toBe(false);
    expect(readFileSync(path.join(dir, "data/db.sqlite"), "utf8")).toBe("rows");
  });

  it("replaces a symlink at a file's place instead of writing through it", async () => {
    const dir = path.join(root, "shop");
    mkdirSync(dir, { recursive: true });
    const outside = path.join(path.dirname(root), "outside.yaml");
    writeFileSync(outside, "precious");
    symlinkSync(outside, path.join(dir, "docker-compose.sample-service.yaml"));
    await writeProject(root, project());
    expect(readFileSync(outside, "utf8")).toBe("precious");
    expect(statSync(path.join(dir, "docker-compose.sample-service.yaml")).isFile()).toBe(true);
  });

  it("refuses to write into a directory that is a symlink", async () => {
    const dir = path.join(root, "shop");
    mkdirSync(dir, { recursive: true });
    const outside = mkdtempSync(path.join(os.tmpdir(), "wharf-outside-"));
    symlinkSync(outside, path.join(dir, "service"));
    await expect(writeProject(root, project())).rejects.toThrow(/service .*is not a directory \(or is a symlink\)/);
    expect(existsSync(path.join(outside, "docker-compose.service.yaml"))).toBe(false);
    rmSync(outside, { recursive: true });
  });
});

describe("stale-file removal", () => {
  it("keeps its file list outside the project directory and ignores one planted inside", async () => {
    await writeProject(root, project(), "A=1\n");
    const dir = path.join(root, "shop");
    expect(readdirSync(dir).filter((name) => name.startsWith(".wharf"))).toEqual([]);
    expect(JSON.parse(readFileSync(path.join(dirs.state, "shop", "files.json"), "utf8"))).toEqual([
      "docker-compose.sample-service.yaml",
      "service/docker-compose.service.yaml",
      ".env",
    ]);
    // A container with `.` mounted can write here; an older agent kept its list under this name.
    writeFileSync(path.join(dir, "victim.txt"), "mine");
    writeFileSync(path.join(dir, ".wharf-files.json"), JSON.stringify(["victim.txt"]));
    await writeProject(root, project(), "A=1\n");
    expect(readFileSync(path.join(dir, "victim.txt"), "utf8")).toBe("mine");
    expect(existsSync(path.join(dir, ".wharf-files.json"))).toBe(false);
  });

  it("never removes through a symlinked directory, nor a directory put where a file was", async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), "wharf-outside-"));
    writeFileSync(path.join(outside, "docker-compose.service.yaml"), "precious");
    await writeProject(root, project());
    const dir = path.join(root, "shop");
    rmSync(path.join(dir, "service"), { recursive: true });
    symlinkSync(outside, path.join(dir, "service"));
    rmSync(path.join(dir, "docker-compose.sample-service.yaml"));
    mkdirSync(path.join(dir, "docker-compose.sample-service.yaml"));
    await writeProject(root, project({ files: [{ path: "other.yaml", content: "services: {}\n" }] }));
    expect(readFileSync(path.join(outside, "docker-compose.service.yaml"), "utf8")).toBe("precious");
    expect(statSync(path.join(dir, "docker-compose.sample-service.yaml")).isDirectory()).toBe(true);
    rmSync(outside, { recursive: true });
  });

  it("removes a symlink left at a file's place, not what it points to", async () => {
    const outside = path.join(dirs.data, "authorized_keys");
    writeFileSync(outside, "ssh-ed25519 AAAA");
    await writeProject(root, project());
    const dir = path.join(root, "shop");
    rmSync(path.join(dir, "service/docker-compose.service.yaml"));
    symlinkSync(outside, path.join(dir, "service/docker-compose.service.yaml"));
    await writeProject(root, project({ files: [{ path: "docker-compose.sample-service.yaml", content: "services: {}\n" }] }));
    expect(existsSync(path.join(dir, "service"))).toBe(false);
    expect(readFileSync(outside, "utf8")).toBe("ssh-ed25519 AAAA");
  });
});

describe("withScratchProject", () => {
  it("writes a private copy beside nothing live, maps its paths back, and removes it even when the work fails", async () => {
    const content = projectContent(project(), "SECRET=s3cret\n");
    let seen = "";
    await expect(
      withScratchProject(dirs, "shop", content, (scratch) => {
        seen = scratch.dir;
        expect(scratch.liveDir).toBe(path.join(root, "shop"));
        expect(scratch.dir.endsWith(scratch.liveDir)).toBe(true);
        expect(mode(scratch.dir.slice(0, -scratch.liveDir.length))).toBe(0o700);
        expect(readFileSync(path.join(scratch.dir, ".env"), "utf8")).toBe("SECRET=s3cret\n");
        expect(scratch.toLive(`source: ${scratch.dir}/data\ncontext: ${path.resolve(scratch.dir, "../shared")}\n`)).toBe(
          `source: ${scratch.liveDir}/data\ncontext: ${path.join(root, "shared")}\n`,
        );
        return Promise.reject(new Error("compose failed"));
      }),
    ).rejects.toThrow("compose failed");
    expect(seen).not.toBe("");
    expect(existsSync(seen)).toBe(false);
    expect(readdirSync(dirs.scratch)).toEqual([]);
    expect(existsSync(root)).toBe(false);
  });
});

describe("removeProject", () => {
  it("removes the project directory and its state, and unlinks a symlink in its place without following it", async () => {
    await writeProject(root, project(), "A=1\n");
    expect(await removeProject(dirs, "shop")).toBe(true);
    expect(existsSync(path.join(root, "shop"))).toBe(false);
    expect(existsSync(path.join(dirs.state, "shop"))).toBe(false);
    expect(await removeProject(dirs, "shop")).toBe(false);

    const outside = mkdtempSync(path.join(os.tmpdir(), "wharf-outside-"));
    writeFileSync(path.join(outside, "keep"), "x");
    symlinkSync(outside, path.join(root, "shop"));
    expect(await removeProject(dirs, "shop")).toBe(true);
    expect(readFileSync(path.join(outside, "keep"), "utf8")).toBe("x");
    rmSync(outside, { recursive: true });
  });
});

describe("resolveProjectFile", () => {
  it("rejects paths leaving the project directory even when the contract was skipped", () => {
    for (const bad of ["../x.yaml", "/etc/passwd", "a/../../x", "a\0b", "-f", "a//b", "./a", ".env", "$(id).yaml", "a b.yaml", "`id`.yaml", "a;b.yaml"]) {
      expect(() => resolveProjectFile("/stacks/shop", bad), bad).toThrow(AgentFailure);
    }
    expect(resolveProjectFile("/stacks/shop", "service/docker-compose.service.yaml")).toBe("/stacks/shop/service/docker-compose.service.yaml");
  });

  it("rejects an invalid project name", async () => {
    await expect(writeContent(dirs, "../etc", projectContent(project(), undefined))).rejects.toThrow(/invalid project name/);
    await expect(removeProject(dirs, "../etc")).rejects.toThrow(/invalid project name/);
  });
});
