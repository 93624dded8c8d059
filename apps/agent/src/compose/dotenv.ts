import type { ComposeRunner, EnvVariable } from "@wharf/agent-protocol";

import { AgentFailure } from "../failure";

/** Values both dotenv dialects read as they are, unquoted. */
const PLAIN_VALUE = /^[A-Za-z0-9_./:@%+,=-]*$/;

/**
 * compose v2 (compose-go): single quotes are literal; a value holding a quote
 * goes in double quotes, where \\, \", \n and \$ are escapes.
 */
function v2Line({ key, value }: EnvVariable): string {
  if (PLAIN_VALUE.test(value)) return `${key}=${value}`;
  if (!value.includes("'")) return `${key}='${value}'`;
  return `${key}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\$/g, "\\$")}"`;
}

/**
 * compose v1 (python-dotenv): single quotes with \\ and \' as escapes; it
 * expands ${NAME} even there and has no escape for it, so such a value cannot
 * be passed at all.
 */
function v1Line({ key, value }: EnvVariable): string {
  if (PLAIN_VALUE.test(value)) return `${key}=${value}`;
  if (value.includes("${")) {
    throw new AgentFailure(
      "BAD_REQUEST",
      `variable ${key}: compose v1 on this host expands "\${" in .env values and cannot escape it; change the value or install the Docker Compose plugin (v2)`,
    );
  }
  return `${key}='${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** The project's `.env` in the dialect of the compose that reads it, so every value arrives exactly. */
export function renderDotenv(variables: readonly EnvVariable[], flavor: ComposeRunner["flavor"]): string {
  const line = flavor === "v1" ? v1Line : v2Line;
  return variables.map((variable) => `${line(variable)}\n`).join("");
}
