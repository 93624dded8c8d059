import { browseVolumeParams, readVolumeFileParams } from "@wharf/agent-protocol";
import type { Host } from "@wharf/db";
import type { z } from "zod";

import type { WharfDeps } from "../deps";
import { type Actor, recordAudit } from "./audit";
import { callAgent } from "./hosts";

export const browseVolumeInput = browseVolumeParams;
export const readVolumeFileInput = readVolumeFileParams;

// The helper container is created, read and removed within the call; a large directory or file takes longer than a list.
const READ_TIMEOUT_MS = 120_000;

/** Reading a volume's files shows data no list does: every directory listed and file read is audited, with its path. */
async function audit(deps: WharfDeps, host: Host, actor: Actor, action: "browse" | "view-file" | "download-file", volume: string, path: string, summary: string) {
  await recordAudit(deps.db, { teamId: host.teamId, actor, action: `volume.${action}`, targetType: "volume", targetId: volume, summary, data: { path: `/${path}` } });
}

export async function browseVolume(deps: WharfDeps, host: Host, actor: Actor, input: z.infer<typeof browseVolumeInput>) {
  const page = await callAgent(deps, host, "browseVolume", input, { timeoutMs: READ_TIMEOUT_MS });
  await audit(deps, host, actor, "browse", input.name, page.path, `Listed /${page.path} in volume ${input.name} on ${host.name}`);
  return page;
}

export async function readVolumeFile(deps: WharfDeps, host: Host, actor: Actor, input: z.infer<typeof readVolumeFileInput>) {
  const file = await callAgent(deps, host, "readVolumeFile", input, { timeoutMs: READ_TIMEOUT_MS });
  const verb = input.purpose === "view" ? "Viewed" : "Downloaded";
  await audit(deps, host, actor, input.purpose === "view" ? "view-file" : "download-file", input.name, file.path, `${verb} /${file.path} from volume ${input.name} on ${host.name}`);
  return file;
}
