import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { containerExecParams } from "@wharf/agent-protocol";
import { afterAll, describe, expect, it } from "vitest";

import { SESSION_KILLER, SHELL_WRAPPER } from "./session";

const SHELLS = [
  ["dash", ["/usr/bin/dash"]],
  ["bash", ["/usr/bin/bash"]],
  ["busybox", ["/usr/bin/busybox", "sh"]],
] as const;

const dir = mkdtempSync(path.join(tmpdir(), "wharf-exec-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Pids of session `sid`, read the way the killer reads them. */
function sessionMembers(sid: number): number[] {
  const out = execFileSync("ps", ["-e", "-o", "pid=,sid=,stat="], { encoding: "utf8" });
  return out
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([, session, stat]) => Number(session) === sid && !stat?.startsWith("Z"))
    .map(([pid]) => Number(pid));
}

describe("the session killer", () => {
  for (const [name, shell] of SHELLS) {
    it(`ends a shell session's every process, background jobs included, under ${name}`, async () => {
      // A session leader (as a TTY exec is) with a foreground and a background child, ignoring SIGHUP as nohup would.
      const leader = spawn("setsid", ["sh", "-c", "trap '' HUP; sleep 4242 & sleep 4343 & wait"], { stdio: "ignore" });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const sid = Number(execFileSync("ps", ["-o", "sid=", "-p", String(leader.pid)], { encoding: "utf8" }).trim());
      const members = sessionMembers(sid);
      expect(members.length).toBeGreaterThanOrEqual(3);

      execFileSync(shell[0], [...shell.slice(1), "-c", SESSION_KILLER, "wharf-kill", String(sid)]);
      expect(sessionMembers(sid)).toEqual([]);
      leader.kill();
    });
  }
});

describe("the shell wrapper", () => {
  for (const [name, shell] of SHELLS) {
    it(`prints its pid, then becomes the shell asked for under ${name}`, () => {
      const out = execFileSync(shell[0], [...shell.slice(1), "-c", `${SHELL_WRAPPER}`, "wharf-shell", "sh", "-c", 'echo "$$ ran"'], { encoding: "utf8" });
      const [pid, ran] = out.trim().split("\n");
      // exec keeps the pid: the shell is the process the wrapper named.
      expect(ran).toBe(`${pid} ran`);
    });
  }

  it("passes a shell name through as one argument, never as code", () => {
    const canary = path.join(dir, "pwned");
    for (const payload of [`$(touch ${canary})`, `; touch ${canary}`, `sh -c 'touch ${canary}'`]) {
      expect(containerExecParams.safeParse({ id: "web", session: "a".repeat(24), cols: 80, rows: 24, shell: payload }).success).toBe(false);
      try {
        execFileSync("sh", ["-c", SHELL_WRAPPER, "wharf-shell", payload], { stdio: "ignore" });
      } catch {
        // Not a program: exec fails, which is the point.
      }
      expect(existsSync(canary)).toBe(false);
    }
  });
});
