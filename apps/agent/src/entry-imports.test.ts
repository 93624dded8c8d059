import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** What a module evaluates with it: every static import, followed through the agent's own files (`files`) to packages. */
async function staticImports(entry: string): Promise<{ files: string[]; packages: string[] }> {
  const { metafile } = await build({
    entryPoints: [path.join(root, entry)],
    absWorkingDir: root,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "cjs",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      // A dynamic import is evaluated only by the command that asks for it.
      if (imported.kind === "dynamic-import") continue;
      if (imported.external === true) packages.add(imported.path);
      else visit(imported.path);
    }
  };
  visit(path.relative(root, path.join(root, entry)));
  return { files: [...seen].sort(), packages: [...packages].sort() };
}

describe("the agent's entry point", () => {
  // `wharf-agent supervise` starts with every compose run: evaluating zod's and
  // the protocol's schemas (and dockerode) there delayed each deploy.
  it("evaluates only Node built-ins and the protocol's plain limits before a command is chosen", async () => {
    const { packages } = await staticImports("src/main.ts");
    expect(packages.filter((name) => !name.startsWith("node:"))).toEqual(["@wharf/agent-protocol/limits"]);
  });
});

describe("the agent server", () => {
  // An idle agent holds only what it has served: each handler module (its
  // code, schemas and the Node built-ins it uses) is evaluated on first call.
  it("evaluates no handler module before that handler is called", async () => {
    const { files, packages } = await staticImports("src/server.ts");
    expect(files.filter((file) => file.startsWith("src/handlers/"))).toEqual([]);
    expect(packages).not.toContain("yaml");
    expect(packages).not.toContain("tar-stream");
  });
});
