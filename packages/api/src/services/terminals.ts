import { randomBytes } from "node:crypto";

import { type ContainerExecFrame, containerExecParams, containerRef, execSessionId, MAX_EXEC_INPUT_BYTES, terminalSize } from "@wharf/agent-protocol";
import type { Host } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { type Actor, recordAudit } from "./audit";
import { callAgent, openAgentStream } from "./hosts";

export const openTerminalInput = z.object({
  containerId: containerRef,
  shell: containerExecParams.shape.shell,
  user: containerExecParams.shape.user,
  ...terminalSize,
});
export type OpenTerminalInput = z.infer<typeof openTerminalInput>;

/** Text typed or pasted; a paste larger than this is sent in several calls by the client. */
export const MAX_TERMINAL_INPUT_CHARS = 16 * 1024;

export const terminalInputInput = z.object({ sessionId: execSessionId, data: z.string().min(1).max(MAX_TERMINAL_INPUT_CHARS) });
export const terminalResizeInput = z.object({ sessionId: execSessionId, ...terminalSize });

export type TerminalEvent = { type: "session"; sessionId: string } | ContainerExecFrame;

/** Open terminals of this process: who may type into which (a session id alone is not enough). */
const sessions = new Map<string, { userId: string; hostId: string }>();

function sessionFor(sessionId: string, userId: string, host: Host): void {
  const session = sessions.get(sessionId);
  if (!session || session.hostId !== host.id || session.userId !== userId) {
    throw new WharfError("NOT_FOUND", "This terminal session has ended (or is not yours): open a new terminal.");
  }
}

/**
 * `docker exec -it` into a container: the first event names the session (for
 * input and resize), then the agent's frames until the shell exits. When the
 * subscription ends first (tab closed, connection lost), aborting the agent's
 * stream makes the agent kill the shell and all it started. Opening and
 * ending are both audited, with who, which container and when.
 */
export async function openTerminal(deps: WharfDeps, host: Host, actor: Actor, input: OpenTerminalInput, signal?: AbortSignal): Promise<AsyncGenerator<TerminalEvent, void, undefined>> {
  if (!actor.id) throw new WharfError("UNAUTHORIZED", "Sign in to open a terminal.");
  const sessionId = randomBytes(18).toString("base64url");
  const frames = await openAgentStream(
    deps,
    host,
    "containerExec",
    { id: input.containerId, session: sessionId, cols: input.cols, rows: input.rows, ...(input.shell ? { shell: input.shell } : {}), ...(input.user ? { user: input.user } : {}) },
    signal ? { signal } : {},
  );
  const startedAt = new Date();
  sessions.set(sessionId, { userId: actor.id, hostId: host.id });
  const where = `container ${input.containerId} on ${host.name}`;
  const base = { teamId: host.teamId, actor, targetType: "container", targetId: input.containerId };
  try {
    await recordAudit(deps.db, { ...base, action: "terminal.open", summary: `Opened a terminal in ${where}`, data: { sessionId, user: input.user ?? null, shell: input.shell ?? null, startedAt: startedAt.toISOString() } });
  } catch (error) {
    sessions.delete(sessionId);
    await frames.return();
    throw error;
  }
  return (async function* terminal(): AsyncGenerator<TerminalEvent, void, undefined> {
    let exitCode: number | null | undefined;
    try {
      yield { type: "session", sessionId };
      for await (const frame of frames) {
        if (frame.type === "exit") exitCode = frame.code;
        yield frame;
      }
    } finally {
      sessions.delete(sessionId);
      const endedAt = new Date();
      const how = exitCode === undefined ? "closed by the client" : `the shell exited${exitCode === null ? "" : ` with code ${exitCode}`}`;
      await recordAudit(deps.db, {
        ...base,
        action: "terminal.close",
        summary: `Terminal in ${where} ended: ${how}`,
        data: { sessionId, startedAt: startedAt.toISOString(), endedAt: endedAt.toISOString(), seconds: Math.round((endedAt.getTime() - startedAt.getTime()) / 1000), exitCode: exitCode ?? null },
      }).catch((error: unknown) => deps.log.error(`Could not audit the end of terminal ${sessionId}: ${String(error)}`));
    }
  })();
}

export async function sendTerminalInput(deps: WharfDeps, host: Host, userId: string, input: z.infer<typeof terminalInputInput>): Promise<void> {
  sessionFor(input.sessionId, userId, host);
  const bytes = Buffer.from(input.data, "utf8");
  for (let start = 0; start < bytes.length; start += MAX_EXEC_INPUT_BYTES) {
    await callAgent(deps, host, "execInput", { session: input.sessionId, data: bytes.subarray(start, start + MAX_EXEC_INPUT_BYTES).toString("base64") });
  }
}

export async function resizeTerminal(deps: WharfDeps, host: Host, userId: string, input: z.infer<typeof terminalResizeInput>): Promise<void> {
  sessionFor(input.sessionId, userId, host);
  await callAgent(deps, host, "execResize", { session: input.sessionId, cols: input.cols, rows: input.rows });
}
