import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { toRemoteCommand } from "./command";
import { SshError } from "./errors";

const dir = mkdtempSync(path.join(tmpdir(), "wharf-quote-"));
const canary = path.join(dir, "pwned");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Inputs that would run code, split words or expand if they reached a shell unquoted. */
const INJECTION_PAYLOADS = [
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `; touch ${canary}`,
  `&& touch ${canary}`,
  `| touch ${canary}`,
  `x\ntouch ${canary}`,
  "; rm -rf /",
  "a b  c",
  "it's",
  'say "hi"',
  `'; touch ${canary}; echo '`,
  `"; touch ${canary}; echo "`,
  "*",
  "/etc/*",
  "~",
  "~root",
  "{a,b}",
  "[abc]",
  "$HOME",
  "${PATH}",
  "!!",
  "it's! $x `y` \\z",
  "back\\slash\\",
  "tab\there",
  "cr\rhere",
  "#not a comment",
  "-n",
  "--help",
  "a=b",
  "> /tmp/redirect",
  "é ü 日本",
  "",
];

// The shells a Docker host may run the exec request through: [binary, args before the command].
const SHELLS = (
  [
    ["/bin/sh", ["-c"]],
    ["/bin/bash", ["-c"]],
    ["/bin/dash", ["-c"]],
    ["/bin/busybox", ["sh", "-c"]],
  ] satisfies [string, string[]][]
).filter(([bin]) => existsSync(bin));

describe("toRemoteCommand", () => {
  it.each(SHELLS)("every payload reaches %s as one literal argument", (bin, args) => {
    const command = toRemoteCommand(["printf", "%s\\0", ...INJECTION_PAYLOADS]);
    const out = execFileSync(bin, [...args, command], { encoding: "utf8" });
    expect(out.split("\0").slice(0, -1)).toEqual(INJECTION_PAYLOADS);
    expect(existsSync(canary)).toBe(false);
  });

  it("keeps plain arguments readable", () => {
    expect(toRemoteCommand(["docker", "ps", "--format", "{{json .}}"])).toBe("docker ps --format '{{json .}}'");
    expect(toRemoteCommand(["ls", "/var/lib/docker"])).toBe("ls /var/lib/docker");
  });

  it("refuses an empty command and NUL bytes", () => {
    expect(() => toRemoteCommand([])).toThrow(SshError);
    expect(() => toRemoteCommand(["echo", "a\0b"])).toThrow(/argument 2 .* NUL/i);
  });
});
