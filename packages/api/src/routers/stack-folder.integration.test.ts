import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";

import { type DeploymentRunner, startDeploymentRunner, type WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { addHosts, captureLog, containersOf, followToEnd, hostProjectDir, IMAGE, problemsOf, removeProject, sandboxHost, uniqueName } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

// A stack is a folder: a Dockerfile built on the host, a bind-mounted config
// file, an env_file and a secret file reach the running container, and a
// revision changing one file sends only that file.

const SECRET_TOKEN = "folder-token-9f3e1c";
let deps: WharfDeps;
let runner: DeploymentRunner;
let owner: TestUser;
let hostIds: Record<string, string>;
let h1: SandboxHost;
let log: string[];
const projects = new Set<string>();

const b64 = (text: string) => Buffer.from(text).toString("base64");

function compose(name: string): string {
  return `services:
  app:
    build:
      context: ./app
    image: wharf-folder/${name}:latest
    env_file: ./app.env
    command: ["sleep", "3600"]
    volumes:
      - ./config/app.conf:/etc/app.conf:ro
    secrets:
      - token
secrets:
  token:
    file: ./secrets/token.txt
`;
}

function folder(conf: string) {
  return [
    { path: "app/Dockerfile", content: b64(`FROM ${IMAGE}\nCOPY hello.txt /hello.txt\n`) },
    { path: "app/hello.txt", content: b64("built from the stack's folder\n") },
    { path: "app.env", content: b64("FROM_ENV_FILE=yes-from-env-file\n") },
    { path: "config/app.conf", content: b64(conf) },
    { path: "secrets/token.txt", content: b64(SECRET_TOKEN), secret: true },
  ];
}

/** The folder blobs sent to hosts since `from` in the log, by their count. */
function blobsSent(from: number): number {
  return log.slice(from).reduce((sum, line) => sum + Number(/^Sent (\d+) of \d+ folder blob/.exec(line)?.[1] ?? 0), 0);
}

async function deploy(stackId: string) {
  const [job] = await owner.caller.deployment.start({ stackId, action: "DEPLOY", options: {} });
  if (!job) throw new Error("no job started");
  return followToEnd(owner, job.id);
}

function execIn(container: string, argv: string[]): string {
  return dockerCli(h1, ["exec", container, ...argv]);
}

beforeAll(async () => {
  deps = createTestDeps();
  log = captureLog(deps);
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  hostIds = await addHosts(owner, ["h1"]);
  h1 = sandboxHost("h1");
  runner = startDeploymentRunner(deps, { pollMs: 500, sweepMs: 1_000 });
});

afterAll(async () => {
  await runner.stop({ graceMs: 1_000 });
  for (const project of projects) {
    removeProject(h1, project);
    dockerCli(h1, ["image", "rm", "-f", `wharf-folder/${project}:latest`]);
  }
  await closeWharfDeps(deps);
});

describe("a stack's folder", () => {
  it("deploys a Dockerfile, a bind-mounted config file, an env_file and a secret file into the running container, then sends only the file that changed", async () => {
    const name = uniqueName("folder");
    projects.add(name);
    const stack = await owner.caller.stack.create({
      name,
      targets: [{ hostId: hostIds.h1 ?? "" }],
      revision: { message: "first", files: [{ path: "compose.yaml", content: compose(name) }], tree: folder("level=one\n") },
    });
    const mark = log.length;
    const first = await deploy(stack.id);
    expect(first.status, first.lines.map((l) => l.text).join("\n")).toBe("SUCCEEDED");
    expect(blobsSent(mark)).toBe(5);

    const [container] = containersOf(h1, name, false);
    if (container === undefined) throw new Error("no running container");
    expect(execIn(container, ["cat", "/hello.txt"])).toBe("built from the stack's folder\n");
    expect(execIn(container, ["cat", "/etc/app.conf"])).toBe("level=one\n");
    expect(execIn(container, ["env"])).toMatch(/^FROM_ENV_FILE=yes-from-env-file$/m);
    expect(execIn(container, ["cat", "/run/secrets/token"])).toBe(SECRET_TOKEN);

    // The secret file is sealed at rest, 0600 on the host, and never read back.
    const dir = hostProjectDir(h1, name);
    expect(lstatSync(path.join(dir, "secrets/token.txt")).mode & 0o777).toBe(0o600);
    const rows = await deps.db.stackRevisionEntry.findMany({ where: { path: "secrets/token.txt" } });
    expect(rows.every((row) => row.sha256 === null && row.sealed !== null && !Buffer.from(row.sealed).toString("latin1").includes(SECRET_TOKEN))).toBe(true);
    await expectTrpcError(owner.caller.stack.folderFile({ stackId: stack.id, number: 1, path: "secrets/token.txt" }), "FORBIDDEN", /secret file/);
    const listed = await owner.caller.stack.revision({ stackId: stack.id, number: 1 });
    expect(listed.tree.find((file) => file.path === "secrets/token.txt")).toMatchObject({ secret: true, sha256: null });

    // Revision 2 changes one file: the others are named by hash (the secret by path), no blob is copied, one is sent.
    const blobsBefore = await deps.db.blob.count();
    const unchanged = listed.tree.filter((file) => file.path !== "config/app.conf").map((file) => (file.secret ? { path: file.path, secret: true } : { path: file.path, sha256: file.sha256 ?? "" }));
    await owner.caller.stack.saveRevision({
      stackId: stack.id,
      message: "one file",
      files: [{ path: "compose.yaml", content: compose(name) }],
      tree: [...unchanged, { path: "config/app.conf", content: b64("level=two\n") }],
    });
    expect(await deps.db.blob.count()).toBe(blobsBefore + 1);
    const secondMark = log.length;
    const second = await deploy(stack.id);
    expect(second.status).toBe("SUCCEEDED");
    expect(blobsSent(secondMark)).toBe(1);
    // The same container (nothing in its config changed) sees the new content through its single-file bind mount.
    expect(containersOf(h1, name, false)).toEqual([container]);
    expect(execIn(container, ["cat", "/etc/app.conf"])).toBe("level=two\n");

    // A file dropped from the folder leaves the host's directory.
    await owner.caller.stack.saveRevision({
      stackId: stack.id,
      files: [{ path: "compose.yaml", content: compose(name).replace("    volumes:\n      - ./config/app.conf:/etc/app.conf:ro\n", "") }],
      tree: unchanged,
    });
    expect((await deploy(stack.id)).status).toBe("SUCCEEDED");
    expect(existsSync(path.join(dir, "config/app.conf"))).toBe(false);
    expect(readFileSync(path.join(dir, "app/hello.txt"), "utf8")).toBe("built from the stack's folder\n");
  });

  it("builds the folder's Dockerfile: a rebuild says which steps came from cache, and a failing step is named with its instruction and error", async () => {
    const name = uniqueName("folder-build");
    projects.add(name);
    const files = [{ path: "compose.yaml", content: `services:\n  app:\n    build:\n      context: ./app\n    image: wharf-folder/${name}:latest\n    command: ["sleep", "3600"]\n` }];
    const dockerfile = (run: string) => b64(`FROM ${IMAGE}\nCOPY hello.txt /hello.txt\nRUN ${run}\n`);
    const stack = await owner.caller.stack.create({
      name,
      targets: [{ hostId: hostIds.h1 ?? "" }],
      revision: { files, tree: [{ path: "app/Dockerfile", content: dockerfile("true") }, { path: "app/hello.txt", content: b64("hi\n") }] },
    });
    const build = async () => {
      const [job] = await owner.caller.deployment.start({ stackId: stack.id, action: "BUILD", options: {} });
      if (!job) throw new Error("no job started");
      return followToEnd(owner, job.id);
    };
    expect((await build()).status).toBe("SUCCEEDED");
    const again = await build();
    expect(again.status).toBe("SUCCEEDED");
    const texts = again.lines.map((line) => line.text);
    expect(texts).toContain("Build steps: 3, 2 of them from cache.");
    const builtId = dockerCli(h1, ["image", "inspect", "--format", "{{.Id}}", `wharf-folder/${name}:latest`]).trim();
    expect(texts).toContain(`Built ${builtId} as docker.io/wharf-folder/${name}:latest.`);

    const listed = await owner.caller.stack.revision({ stackId: stack.id, number: 1 });
    const hello = listed.tree.find((file) => file.path === "app/hello.txt");
    await owner.caller.stack.saveRevision({ stackId: stack.id, files, tree: [{ path: "app/Dockerfile", content: dockerfile("echo failing on purpose && exit 3") }, { path: "app/hello.txt", sha256: hello?.sha256 ?? "" }] });
    const failed = await build();
    expect(failed.status).toBe("FAILED");
    expect(failed.job.error).toMatch(/^Build step \[app 3\/3\] RUN echo failing on purpose && exit 3 failed on h1: .*exit code: 3/);
  });

  it("refuses at save paths leaving the folder, too-large files and unknown content, each with its reason", async () => {
    const name = uniqueName("folder-bad");
    const files = [{ path: "compose.yaml", content: `services:\n  a:\n    image: ${IMAGE}\n` }];
    const error = await expectTrpcError(
      owner.caller.stack.create({
        name,
        revision: {
          files,
          tree: [
            { path: "../escape.txt", content: b64("x") },
            { path: "big.bin", content: Buffer.alloc(5 * 1024 * 1024 + 1).toString("base64") },
            { path: "kept.txt", sha256: "0".repeat(64) },
            { path: "compose.yaml", content: b64("x") },
          ],
        },
      }),
      "BAD_REQUEST",
      /./,
    );
    const messages = problemsOf(error).map((problem) => problem.message).join("\n");
    expect(messages).toMatch(/\.\.\/escape\.txt: the path contains "\.\."/);
    expect(messages).toMatch(/big\.bin: it takes 5\.0 MiB; a file may take at most 5\.0 MiB/);
    expect(messages).toMatch(/kept\.txt: its content is neither given nor held by Wharf/);
    expect(messages).toMatch(/compose\.yaml: this path is given twice/);
  });

  it("refuses to write the folder through a symlink a container left in the project directory", async () => {
    const name = uniqueName("folder-link");
    projects.add(name);
    const files = [{ path: "compose.yaml", content: `services:\n  a:\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n` }];
    const stack = await owner.caller.stack.create({ name, targets: [{ hostId: hostIds.h1 ?? "" }], revision: { files, tree: [{ path: "conf/a.txt", content: b64("a") }] } });
    expect((await deploy(stack.id)).status).toBe("SUCCEEDED");
    const dir = hostProjectDir(h1, name);
    // What a container with ./ bind-mounted could do: swap a directory of the folder for a link leading out.
    const outside = path.join(path.dirname(dir), `outside-${name}`);
    mkdirSync(outside);
    rmSync(path.join(dir, "conf"), { recursive: true });
    symlinkSync(outside, path.join(dir, "conf"));
    const again = await deploy(stack.id);
    expect(again.status).toBe("FAILED");
    expect(again.job.error ?? "").toMatch(/is a symlink\); refusing to write there/);
    expect(existsSync(path.join(outside, "a.txt"))).toBe(false);
    rmSync(outside, { recursive: true });
  });
});
