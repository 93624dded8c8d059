import type { PreflightCheck } from "@wharf/agent-protocol";
import type { z } from "zod";

import type { WharfDeps } from "../deps";
import type { Problem } from "../errors";
import { runPreflight } from "./deployments";
import { draftOf, type previewDraftInput } from "./stacks";

export type CheckResult =
  | {
      ok: true;
      /** Every check the host ran, passed ones included. */
      checks: PreflightCheck[];
      /** The compose that read the files, e.g. "v2 2.26.1". */
      compose: string;
    }
  | { ok: false; reason: "PREFLIGHT_FAILED" | "COMPOSE_INVALID" | "GUARDRAIL_VIOLATION"; message: string; problems: Problem[] };

/**
 * Unsaved edits through the preflight a deploy runs (compose config, limits,
 * images, build contexts), refused with the same messages. The agent works in
 * a scratch copy and throwaway containers, so the host is left as it was.
 */
export async function checkDraft(deps: WharfDeps, teamId: string, userId: string, input: z.infer<typeof previewDraftInput>): Promise<CheckResult> {
  const { stack, host, overlay, content } = await draftOf(deps, teamId, input);
  const { checks, rendered, refusal } = await runPreflight(deps, { teamId, stack, userId }, { host, content, overlay, pins: [] });
  if (refusal) return { ok: false, reason: refusal.reason === "COMPOSE_INVALID" || refusal.reason === "GUARDRAIL_VIOLATION" ? refusal.reason : "PREFLIGHT_FAILED", message: refusal.message, problems: refusal.problems };
  return { ok: true, checks, compose: rendered?.compose ?? "" };
}
