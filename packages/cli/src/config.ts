import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";

import { z } from "zod";

const configSchema = z.object({ url: z.url(), token: z.string().startsWith("wharf_") });
export type CliConfig = z.infer<typeof configSchema>;

/** $WHARF_CONFIG, else $XDG_CONFIG_HOME/wharf/config.json, else ~/.config/wharf/config.json. */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.WHARF_CONFIG) return env.WHARF_CONFIG;
  return path.join(env.XDG_CONFIG_HOME ?? path.join(homedir(), ".config"), "wharf", "config.json");
}

/** The saved login, overridden by WHARF_URL / WHARF_TOKEN (CI jobs set those instead of logging in). */
export async function loadConfig(env: NodeJS.ProcessEnv): Promise<CliConfig | null> {
  const file = configPath(env);
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw new Error(`Cannot read ${file}: ${error.message}.`);
  });
  let saved: Partial<CliConfig> = {};
  try {
    if (text !== null) saved = configSchema.partial().parse(JSON.parse(text));
  } catch {
    throw new Error(`${file} is not a saved login. Run \`wharf login\` again.`);
  }
  const merged = { url: env.WHARF_URL ?? saved.url, token: env.WHARF_TOKEN ?? saved.token };
  const parsed = configSchema.safeParse(merged);
  return parsed.success ? parsed.data : null;
}

/** Written 0600 in a 0700 directory (the token is a secret), through a temporary file and a rename. */
export async function saveConfig(env: NodeJS.ProcessEnv, config: CliConfig): Promise<string> {
  const file = configPath(env);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  await rename(temp, file);
  await chmod(file, 0o600);
  return file;
}
