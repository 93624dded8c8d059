import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { loadConfig, saveConfig } from "./config";
import { main } from "./main";

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = "";
  let err = "";
  const code = await main(["node", "wharf", ...args], { out: (t) => (out += t), err: (t) => (err += t), env });
  return { code, out, err };
}

describe("the wharf command", () => {
  it("prints help naming every command, and exits 2 on an unknown one", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["login", "status", "deploy", "redeploy", "rollback", "down", "jobs", "logs"]) expect(help.out).toContain(command);
    const unknown = await run(["deplyo", "web"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command 'deplyo'/);
  });

  it("says how to log in, as text or as JSON, with exit code 2", async () => {
    const env = { WHARF_CONFIG: path.join(mkdtempSync(path.join(tmpdir(), "wharf-cli-")), "missing.json") };
    expect(await run(["status"], env)).toMatchObject({ code: 2, err: expect.stringMatching(/^wharf: Not logged in: run `wharf login --url/) as unknown });
    const json = await run(["--json", "status"], env);
    expect(JSON.parse(json.err)).toEqual({ error: { message: expect.stringMatching(/^Not logged in/) as unknown } });
  });

  it("saves the login 0600 and lets WHARF_URL and WHARF_TOKEN override it", async () => {
    const env = { WHARF_CONFIG: path.join(mkdtempSync(path.join(tmpdir(), "wharf-cli-")), "wharf", "config.json") };
    const file = await saveConfig(env, { url: "https://wharf.example.com", token: "wharf_saved" });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await loadConfig(env)).toEqual({ url: "https://wharf.example.com", token: "wharf_saved" });
    expect(await loadConfig({ ...env, WHARF_TOKEN: "wharf_from_ci" })).toEqual({ url: "https://wharf.example.com", token: "wharf_from_ci" });
    await saveConfig(env, { url: "https://other.example.com", token: "wharf_second" });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ url: "https://other.example.com", token: "wharf_second" });
    writeFileSync(file, "{ not json");
    await expect(loadConfig(env)).rejects.toThrow(/Run `wharf login` again/);
  });
});
