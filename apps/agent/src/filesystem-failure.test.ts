import os from "node:os";

import { describe, expect, it } from "vitest";

import { filesystemFailure } from "./filesystem-failure";

const AGENT_DIR = "/home/deploy/.wharf";

function errno(code: string, syscall: string, file?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed, ${syscall} '${file ?? ""}'`), { code, syscall, ...(file === undefined ? {} : { path: file }) });
}

describe("filesystemFailure", () => {
  it("says who cannot write what and what to check, naming the project directory instead of the temporary file", () => {
    const failure = filesystemFailure(errno("EACCES", "open", `${AGENT_DIR}/stacks/web/.wharf-tmp-0a1b2c3d4e5f`), AGENT_DIR);
    expect(failure?.code).toBe("HOST_FILESYSTEM");
    expect(failure?.message).toBe(
      `Cannot write the stack's files on the host: the SSH user ${os.userInfo().username} cannot write stacks/web in the agent directory ${AGENT_DIR} (permission denied): check that it and its directory are owned by ${os.userInfo().username} and writable by it (ls -ld, then chown/chmod).`,
    );
    expect(failure?.message).not.toMatch(/EACCES|wharf-tmp/);
  });

  it.each([
    ["EPERM", /not allowed to change stacks\/web\/compose\.yaml/],
    ["ENOSPC", /disk holding stacks\/web\/compose\.yaml .* is full: free some space/],
    ["EDQUOT", /over its disk quota/],
    ["EROFS", /read-only filesystem: remount/],
  ])("maps %s to a sentence saying what to do", (code, message) => {
    const failure = filesystemFailure(errno(code, "rename", `${AGENT_DIR}/stacks/web/compose.yaml`), AGENT_DIR);
    expect(failure?.message).toMatch(message);
    expect(failure?.message).not.toContain(code);
  });

  it("leaves socket errors to the Docker mapping and unknown errors alone", () => {
    expect(filesystemFailure(errno("EACCES", "connect", "/var/run/docker.sock"), AGENT_DIR)).toBeNull();
    expect(filesystemFailure(errno("ENOENT", "open", `${AGENT_DIR}/x`), AGENT_DIR)).toBeNull();
    expect(filesystemFailure(new Error("boom"), AGENT_DIR)).toBeNull();
  });

  it("shows a path outside the agent directory as it is", () => {
    expect(filesystemFailure(errno("ENOSPC", "write", "/tmp/x"), AGENT_DIR)?.message).toMatch(/disk holding \/tmp\/x is full/);
  });
});
