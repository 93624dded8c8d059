import os from "node:os";
import path from "node:path";

import { AgentFailure } from "./failure";

interface FsError {
  code?: unknown;
  path?: unknown;
  syscall?: unknown;
}

/** What is wrong and what to do, per errno; `where` names the path relative to the agent directory. */
const ADVICE: Record<string, (where: string, user: string) => string> = {
  EACCES: (where, user) => `the SSH user ${user} cannot write ${where} (permission denied): check that it and its directory are owned by ${user} and writable by it (ls -ld, then chown/chmod)`,
  EPERM: (where, user) => `the SSH user ${user} is not allowed to change ${where} (operation not permitted): check its owner and attributes (ls -ld, lsattr)`,
  ENOSPC: (where) => `the disk holding ${where} is full: free some space on the host (df -h), e.g. docker system prune`,
  EDQUOT: (where, user) => `the SSH user ${user} is over its disk quota on the filesystem holding ${where}: free space or raise the quota`,
  EROFS: (where) => `${where} is on a read-only filesystem: remount it read-write or move the agent to a writable home directory`,
  EMFILE: () => "the agent has too many files open: raise the open-files limit (ulimit -n) for the SSH user",
  ENFILE: () => "the host has too many files open: raise fs.file-max or stop what leaks files",
  ENAMETOOLONG: (where) => `the path ${where} is too long for the host's filesystem: use shorter stack or file names`,
  ELOOP: (where) => `${where} goes through too many symbolic links: remove the links in the agent directory`,
};

/**
 * Turns a filesystem error (errno text such as "EACCES: permission denied,
 * open '/home/…/.wharf-tmp-…'") into a failure that says what is wrong and
 * what to do; null for anything else. Socket errors (syscall connect) are
 * Docker's, handled by dockerFailure.
 */
export function filesystemFailure(error: unknown, agentDir: string): AgentFailure | null {
  if (typeof error !== "object" || error === null) return null;
  const { code, path: file, syscall } = error as FsError;
  if (typeof code !== "string" || syscall === "connect") return null;
  const advice = ADVICE[code];
  if (!advice) return null;
  return new AgentFailure("HOST_FILESYSTEM", `Cannot write the stack's files on the host: ${advice(describePath(file, agentDir), os.userInfo().username)}.`);
}

/** "stacks/web/.env in ~/.wharf" rather than the absolute path with its temporary-file suffix. */
function describePath(file: unknown, agentDir: string): string {
  if (typeof file !== "string") return `the agent directory ${agentDir}`;
  const relative = path.relative(agentDir, file);
  if (relative.startsWith("..") || path.isAbsolute(relative)) return file;
  // Temporary files are renamed over their target: name the target.
  const shown = relative.replace(/(^|\/)\.wharf-tmp-[^/]*$/, "$1").replace(/\/$/, "");
  return shown === "" ? `the agent directory ${agentDir}` : `${shown} in the agent directory ${agentDir}`;
}
