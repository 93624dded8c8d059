import { readFileSync } from "node:fs";
import path from "node:path";

import { z } from "zod";

const manifestSchema = z.object({
  version: z.string(),
  protocolVersion: z.number().int(),
  sha256: z.string(),
  gzSha256: z.string(),
  sizeBytes: z.number(),
  platform: z.string(),
  arch: z.string(),
});

/** The built agent executable that Wharf uploads to hosts (apps/agent/dist). */
export interface AgentBundle {
  version: string;
  /** SHA-256 (hex) of the unpacked executable, checked on the host before it starts. */
  sha256: string;
  gzPath: string;
  platform: string;
  arch: string;
}

export function loadAgentBundle(distDir: string): AgentBundle {
  const manifestPath = path.join(distDir, "manifest.json");
  let raw: string;
  try {
    raw = readFileSync(manifestPath, "utf8");
  } catch {
    throw new Error(`The agent is not built (no ${manifestPath}). Run \`npm run build -w @wharf/agent\`.`);
  }
  const manifest = manifestSchema.parse(JSON.parse(raw));
  return {
    version: manifest.version,
    sha256: manifest.sha256,
    gzPath: path.join(distDir, "wharf-agent.gz"),
    platform: manifest.platform,
    arch: manifest.arch,
  };
}
