import { agentDirs, missingBlobs, storeBlobs } from "../compose/project-dir";
import type { CallHandler } from "./context";

export const composeTreeHave: CallHandler<"composeTreeHave"> = async (params, ctx) => ({
  missing: await missingBlobs(agentDirs(ctx.agent.socketPath), params.name, params.sha256),
});

// No project lock: blobs are named by their content and written atomically, so a put never changes what a running job reads.
export const composeTreePut: CallHandler<"composeTreePut"> = async (params, ctx) => {
  const blobs = params.blobs.map((blob) => ({ sha256: blob.sha256, data: Buffer.from(blob.data, "base64") }));
  const stored = await storeBlobs(agentDirs(ctx.agent.socketPath), params.name, blobs);
  ctx.log.info("tree blobs stored", { project: params.name, stored, bytes: blobs.reduce((sum, blob) => sum + blob.data.length, 0) });
  return { stored };
};
