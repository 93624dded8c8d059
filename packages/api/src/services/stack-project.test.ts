import {
  agentRequest,
  MAX_COMPOSE_FILE_BYTES,
  MAX_COMPOSE_FILES,
  MAX_ENV_VALUE_BYTES,
  MAX_ENV_VARIABLES,
  MAX_OVERRIDE_FILE_BYTES,
  MAX_REQUEST_BODY_BYTES,
  wireBytes,
} from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";

import { IMAGE_PINS_PATH } from "../lib/image-pins";
import { toRequestedLimits } from "../lib/limits-override";
import { buildProject, type RevisionContent, sendableProblems } from "./stack-project";
import { emptyTree } from "./stack-tree";
import { createStackInput } from "./stacks";

/** JSON spells a control character in 6 bytes: the costliest character a file can hold. */
const COSTLY = "\u0001";

/** A revision with every variable at its longest and files of costly characters, `filler` of them in all. */
function revision(filler: number): RevisionContent {
  const header = "services:\n  web:\n    image: busybox\n# ";
  const files = Array.from({ length: MAX_COMPOSE_FILES }, (_, index) => {
    const share = Math.min(MAX_COMPOSE_FILE_BYTES - header.length, Math.max(0, filler - index * (MAX_COMPOSE_FILE_BYTES - header.length)));
    return { path: `f${index}.yaml`, content: header + COSTLY.repeat(share) };
  });
  const half = MAX_ENV_VARIABLES / 2;
  return {
    files,
    env: Array.from({ length: half }, (_, i) => ({ key: `PLAIN_${i}`, value: "v" })),
    secrets: Object.fromEntries(Array.from({ length: half }, (_, i) => [`SECRET_${i}`, i === 0 ? COSTLY.repeat(MAX_ENV_VALUE_BYTES) : "s"])),
    tree: emptyTree(),
    limits: { web: { memoryBytes: 64 * 1024 ** 2, cpus: 1, ulimits: { nofile: { soft: 1024, hard: 2048 } }, capAdd: ["SYS_NICE"] } },
  };
}

/** A generated file whose encoded content is as long as allowed. */
function largest(path: string) {
  return { path, content: COSTLY.repeat(Math.floor((MAX_OVERRIDE_FILE_BYTES - 2) / 6)) };
}

describe("one set of limits from save to agent", () => {
  it("sends the largest revision that saves, with the largest overlay and image pins, within the agent's body cap", () => {
    // The most costly filler a revision may hold and still save (the next character is refused).
    let low = 0;
    let high = MAX_COMPOSE_FILES * MAX_COMPOSE_FILE_BYTES;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (sendableProblems(revision(middle)).length === 0) low = middle;
      else high = middle - 1;
    }
    expect(low).toBeGreaterThan(0);
    expect(sendableProblems(revision(low + 1)).map((p) => p.path)).toEqual([["files"]]);

    const content = revision(low);
    const overlay = largest("overlay").content;
    const { project } = buildProject("x".repeat(63), content, overlay);
    project.overrideFiles = [...(project.overrideFiles ?? []), largest(IMAGE_PINS_PATH)];
    const request = { method: "preflight", params: { project, limits: { services: toRequestedLimits(content.limits) }, hostLabel: "h".repeat(253) } };
    expect(wireBytes(request)).toBeLessThanOrEqual(MAX_REQUEST_BODY_BYTES);
    expect(wireBytes(request)).toBeGreaterThan(MAX_REQUEST_BODY_BYTES - 64 * 1024);
    // The agent's own contract takes it too.
    expect(agentRequest.safeParse(request).success).toBe(true);
  });

  it("refuses at save more variables than the agent takes, plain and secret together", () => {
    const variables = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ key: `${prefix}_${i}`, value: "v" }));
    const files = [{ path: "compose.yaml", content: "services: {}\n" }];
    expect(createStackInput.safeParse({ name: "a", revision: { files, env: variables(MAX_ENV_VARIABLES + 1, "A") } }).success).toBe(false);
    const content: RevisionContent = { files, env: variables(MAX_ENV_VARIABLES, "A"), secrets: { S: "secret" }, limits: {}, tree: emptyTree() };
    expect(sendableProblems(content).map((p) => p.message)).toEqual([`${MAX_ENV_VARIABLES + 1} variables, plain and secret together; at most ${MAX_ENV_VARIABLES} fit in a stack's .env.`]);
  });
});
