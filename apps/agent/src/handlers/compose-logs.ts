import { ProjectLogStream } from "../compose/logs";
import type { StreamHandler } from "./context";

/** The response starts once every container's log stream is open (and, with follow, new starts are watched). */
export const composeLogs: StreamHandler<"composeLogs"> = async (params, ctx) => {
  const stream = new ProjectLogStream(
    ctx.docker,
    { project: params.name, owner: params.owner, services: params.services, tail: params.tail, since: params.since, follow: params.follow },
    ctx.log,
  );
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
};
