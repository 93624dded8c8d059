import { z } from "zod";

import { composeServiceImage } from "./compose-image-digests";
import { composeProject, composeServiceName } from "./compose-project";
import { registryAuths } from "./registry-auth";

export const composeAction = z.enum(["up", "down", "stop", "restart", "pull", "build"]);
export type ComposeAction = z.infer<typeof composeAction>;

/**
 * Names one compose run on a host, chosen by the control plane so it can find
 * the run again after losing the stream (the agent keeps the run's output
 * under this name in the project's state).
 */
export const composeRunId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "a run id is 1-100 characters of A-Z, a-z, 0-9, _ and -");

/**
 * `composeRun` (stream): writes the project's files and runs one compose
 * command: `up` is `up -d --remove-orphans`, `down` takes `-v` with `volumes`.
 * One job per project at a time: the agent answers once it holds the project,
 * after waiting up to PROJECT_LOCK_WAIT_MS for another job there (else CONFLICT).
 * Compose runs detached from the agent and outlives the stream (and the
 * agent): closing the stream does not stop it. `composeAttach` follows it
 * again, `composeCancel` stops it.
 */
export const composeRunParams = z
  .object({
    project: composeProject,
    action: composeAction,
    runId: composeRunId,
    options: z
      .object({
        /** For up (default true) and down (default false). */
        removeOrphans: z.boolean().optional(),
        /** up only: recreate every container even when its configuration did not change. */
        forceRecreate: z.boolean().optional(),
        /** down only: also remove named volumes. */
        volumes: z.boolean().optional(),
        /** Limit the command to these services (not for down). */
        services: z.array(composeServiceName).max(100).optional(),
        /** build only: build every step again instead of taking it from the cache. */
        noCache: z.boolean().optional(),
        /** build only: pull a newer version of each base image first. */
        pull: z.boolean().optional(),
      })
      .default({}),
    /** up only: the exit frame of a run that succeeded also carries composeImageDigests' answer, sparing that call. */
    imageDigests: z.boolean().optional(),
    /**
     * pull, up and build: logins for this run only. The agent gives compose a private DOCKER_CONFIG
     * holding just these and deletes it when compose exits; the host keeps no login.
     */
    registryAuths: registryAuths.optional(),
  })
  .superRefine(({ action, options, imageDigests, registryAuths: auths }, ctx) => {
    if (options.volumes !== undefined && action !== "down") ctx.addIssue({ code: "custom", message: "volumes only applies to down" });
    if (options.forceRecreate !== undefined && action !== "up") ctx.addIssue({ code: "custom", message: "forceRecreate only applies to up" });
    if (options.removeOrphans !== undefined && action !== "up" && action !== "down") {
      ctx.addIssue({ code: "custom", message: "removeOrphans only applies to up and down" });
    }
    if (options.services !== undefined && action === "down") {
      ctx.addIssue({ code: "custom", message: "down takes the whole project; use stop for single services" });
    }
    if ((options.noCache !== undefined || options.pull !== undefined) && action !== "build") ctx.addIssue({ code: "custom", message: "noCache and pull only apply to build" });
    if (imageDigests !== undefined && action !== "up") ctx.addIssue({ code: "custom", message: "imageDigests only applies to up" });
    if (auths !== undefined && !REGISTRY_ACTIONS.includes(action)) ctx.addIssue({ code: "custom", message: "registryAuths only applies to pull, up and build" });
  });

/** The compose actions that talk to registries. */
export const REGISTRY_ACTIONS: readonly ComposeAction[] = ["pull", "up", "build"];
export type ComposeRunParams = z.input<typeof composeRunParams>;

/** One `data` frame of composeRun and composeAttach: a line of compose's output, then exactly one `exit` as the last. */
export const composeRunData = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("output"),
    stream: z.enum(["stdout", "stderr"]),
    line: z.string(),
    /** When the agent read the line (ISO 8601). */
    at: z.string(),
  }),
  z.object({
    kind: z.literal("exit"),
    /** Null when compose was ended by a signal (a cancelled run). */
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    /** On failure, compose's last line on stderr (its error message). */
    message: z.string().nullable(),
    durationMs: z.number(),
    /** With `imageDigests` (composeRun only), after a run that succeeded: the images the project's containers run. Absent when they could not be read. */
    images: z.array(composeServiceImage).optional(),
  }),
]);
export type ComposeRunData = z.infer<typeof composeRunData>;
