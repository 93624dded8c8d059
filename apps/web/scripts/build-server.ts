// Compiles the launcher (scripts/serve.ts, which runs Next.js in its own
// process) to dist/server.mjs, so production runs `node apps/web/dist/server.mjs`:
// one Node process, no npm or tsx in front of it to hold memory or eat signals.
// Wharf's workspace packages are TypeScript and get bundled; every other
// package stays an import, resolved from node_modules at run time.
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build, type Plugin } from "esbuild";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const externalPackages: Plugin = {
  name: "external-packages",
  setup(pluginBuild) {
    // A bare specifier that is not one of ours: a package from node_modules (or a node: builtin).
    pluginBuild.onResolve({ filter: /^[^./~]/ }, (args) => (args.path.startsWith("@wharf/") ? undefined : { path: args.path, external: true }));
  },
};

const started = performance.now();
// Its own file, imported before anything else: V8 flags must be set before the app's packages load.
await build({
  entryPoints: [path.join(appDir, "scripts/heap-flags.ts")],
  outfile: path.join(appDir, "dist/heap-flags.mjs"),
  absWorkingDir: appDir,
  platform: "node",
  target: "node20",
  format: "esm",
  logLevel: "warning",
});
await build({
  banner: { js: 'import "./heap-flags.mjs";' },
  entryPoints: [path.join(appDir, "scripts/serve.ts")],
  outfile: path.join(appDir, "dist/server.mjs"),
  absWorkingDir: appDir,
  tsconfig: path.join(appDir, "tsconfig.json"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  plugins: [externalPackages],
  logLevel: "warning",
});
console.log(`dist/server.mjs in ${Math.round(performance.now() - started)} ms`);
