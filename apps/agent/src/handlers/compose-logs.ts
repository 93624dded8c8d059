import { ProjectLogStream } from "../compose/logs";
import type { HandlerContext, PayloadSource, StreamHandler } from "./context";

/** The response starts once every container's log stream is open (and, with follow, new starts are watched). */
export const composeLogs: StreamHandler<"composeLogs"> = (params, ctx) =>
  startLogStream(
    new ProjectLogStream(
      ctx.docker,
      { project: params.name, owner: params.owner, services: params.services, tail: params.tail, since: params.since, follow: params.follow },
      ctx.log,
    ),
    ctx,
  );

/** Starts a log stream, abandoning it if the client leaves (or it fails) before it is live. */
export async function startLogStream(stream: ProjectLogStream, ctx: HandlerContext): Promise<PayloadSource> {
  const abort = (): void => {
    stream.destroy();
  };
  ctx.signal.addEventListener("abort", abort, { once: true });
  try {
    await stream.start();
  } catch (error) {
    stream.destroy();
    throw error;
  } finally {
    ctx.signal.removeEventListener("abort", abort);
  }
  return { kind: "payloads", stream };
}
