import type { Readable } from "node:stream";

import type { ImagePushData } from "@wharf/agent-protocol";
import { z } from "zod";

import type { StreamHandler } from "./context";

/** One line of the engine's push progress (the same JSON `docker push` reads). */
const pushLine = z.object({
  id: z.string().optional(),
  status: z.string().optional(),
  progressDetail: z.object({ current: z.number().optional(), total: z.number().optional() }).partial().optional(),
  aux: z.object({ Tag: z.string(), Digest: z.string(), Size: z.number() }).partial().optional(),
  error: z.string().optional(),
  errorDetail: z.object({ message: z.string().optional() }).optional(),
});

const LAYER_STATES: [RegExp, Extract<ImagePushData, { kind: "layer" }>["state"]][] = [
  [/^Preparing$/, "preparing"],
  [/^Waiting$/, "waiting"],
  [/^Pushing$/, "pushing"],
  [/^Pushed$/, "pushed"],
  [/^Layer already exists$/, "exists"],
  [/^Mounted from /, "mounted"],
];

/** Maps one progress line to a frame; null for lines that say nothing new (the banner, the digest line the aux repeats). */
export function pushFrame(line: string): ImagePushData | null {
  let parsed: z.infer<typeof pushLine>;
  try {
    parsed = pushLine.parse(JSON.parse(line));
  } catch {
    return null;
  }
  if (parsed.error !== undefined) return { kind: "failed", message: parsed.errorDetail?.message ?? parsed.error };
  const aux = parsed.aux;
  if (aux?.Digest !== undefined) return { kind: "pushed", tag: aux.Tag ?? "", digest: aux.Digest, sizeBytes: aux.Size ?? 0 };
  if (parsed.id === undefined || parsed.status === undefined) return null;
  const status = parsed.status;
  const state = LAYER_STATES.find(([pattern]) => pattern.test(status))?.[1];
  if (state === undefined) return null;
  const detail = parsed.progressDetail;
  return {
    kind: "layer",
    id: parsed.id,
    state,
    ...(detail?.current !== undefined ? { currentBytes: detail.current } : {}),
    ...(detail?.total !== undefined ? { totalBytes: detail.total } : {}),
  };
}

/**
 * Tags the image and pushes it; the credentials travel in this request's
 * X-Registry-Auth header only, so the host keeps no login.
 */
export const imagePush: StreamHandler<"imagePush"> = async (params, ctx) => {
  await ctx.docker.getImage(params.image).tag({ repo: params.repository, tag: params.tag, abortSignal: ctx.signal });
  const authconfig = params.auth ? { username: params.auth.username, password: params.auth.password, serveraddress: params.auth.serverAddress } : undefined;
  const stream = (await ctx.docker
    .getImage(`${params.repository}:${params.tag}`)
    .push({ tag: params.tag, abortSignal: ctx.signal, ...(authconfig ? { authconfig } : {}) })) as Readable;
  ctx.log.info("image push", { repository: params.repository, tag: params.tag });
  return { kind: "lines", stream, parseLine: pushFrame };
};
