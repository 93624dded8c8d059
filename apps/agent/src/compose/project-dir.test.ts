import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { composeProject, type ComposeProjectInput } from "@wharf/agent-protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { AgentFailure } from "../failure";
import { projectLayout, resolveProjectFile, writeProject } from "./project-dir";

let root: string;

beforeEach(() => {
  root = path.join(mkdtempSync(path.join(os.tmpdir(), "wharf-project-dir-")), "stacks");
});
afterEach(() => rmSync(path.dirname(root), { recursive: true, force: true }));

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

describe("resolveProjectFile", () => {
  it("rejects paths leaving the project directory even when the contract was skipped", () => {
    for (const bad of ["../x.yaml", "/etc/passwd", "a/../../x", "a\0b", "-f", "a//b", "./a", ".env", "$(id).yaml", "a b.yaml", "`id`.yaml", "a;b.yaml"]) {
      expect(() => resolveProjectFile("/stacks/shop", bad), bad).toThrow(AgentFailure);
    }
    expect(resolveProjectFile("/stacks/shop", "service/docker-compose.service.yaml")).toBe("/stacks/shop/service/docker-compose.service.yaml");
  });

  it("rejects an invalid project name", () => {
    expect(() => projectLayout("/stacks", { ...project(), name: "../etc" })).toThrow(/invalid project name/);
  });
});
