import { z } from "zod";

import { parseDockerResponse } from "../docker/client";
import { ExecSession, execSessions } from "../exec/session";
import { AgentFailure } from "../failure";
import type { CallHandler, StreamHandler } from "./context";

const running = z.object({ Name: z.string(), State: z.object({ Running: z.boolean(), Paused: z.boolean() }) });

/** The stream answers once the shell's TTY is attached; its first frame names the shell's pid. */
export const containerExec: StreamHandler<"containerExec"> = async (params, ctx) => {
  if (execSessions.has(params.session)) throw new AgentFailure("CONFLICT", `terminal session ${params.session} is already open`);
  const state = parseDockerResponse(running, await ctx.docker.getContainer(params.id).inspect({ abortSignal: ctx.signal }), "container");
  const name = state.Name.replace(/^\//, "");
  if (!state.State.Running) throw new AgentFailure("CONFLICT", `container ${name} is not running: start it before opening a terminal`);
  if (state.State.Paused) throw new AgentFailure("CONFLICT", `container ${name} is paused: unpause it before opening a terminal`);
  const session = new ExecSession(ctx.docker, { container: params.id, shell: params.shell, user: params.user, cols: params.cols, rows: params.rows }, ctx.log);
  execSessions.set(params.session, session);
  session.once("close", () => execSessions.delete(params.session));
  try {
    await session.start(ctx.signal);
  } catch (error) {
    session.destroy();
    throw error;
  }
  ctx.log.info("terminal opened", { container: name, user: params.user ?? "(default)" });
  return { kind: "payloads", stream: session };
};

function sessionOf(id: string): ExecSession {
  const session = execSessions.get(id);
  if (!session || session.destroyed) throw new AgentFailure("NOT_FOUND", "this terminal session has ended: open a new terminal");
  return session;
}

export const execInput: CallHandler<"execInput"> = (params) => {
  sessionOf(params.session).write(Buffer.from(params.data, "base64"));
  return Promise.resolve({});
};

export const execResize: CallHandler<"execResize"> = async (params) => {
  await sessionOf(params.session).resize(params.cols, params.rows);
  return {};
};
