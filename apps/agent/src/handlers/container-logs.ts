import { z } from "zod";

import { ProjectLogStream } from "../compose/logs";
import { parseDockerResponse } from "../docker/client";
import { startLogStream } from "./compose-logs";
import type { StreamHandler } from "./context";

const named = z.object({ Id: z.string() });

/** Like composeLogs, for one container named by id or name (resolved first, so a missing one answers NOT_FOUND). */
export const containerLogs: StreamHandler<"containerLogs"> = async (params, ctx) => {
  const { Id: id } = parseDockerResponse(named, await ctx.docker.getContainer(params.id).inspect({ abortSignal: ctx.signal }), "container");
  return startLogStream(
    new ProjectLogStream(
      ctx.docker,
      { project: "", container: id, owner: undefined, services: undefined, tail: params.tail, since: params.since, follow: params.follow },
      ctx.log,
    ),
    ctx,
  );
};
