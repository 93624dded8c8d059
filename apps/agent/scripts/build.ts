// Builds the agent as a Node single executable application:
// dist/wharf-agent (the binary), dist/wharf-agent.gz (what the control plane
// uploads) and dist/manifest.json (what the control plane reads).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createGzip } from "node:zlib";

import { PROTOCOL_VERSION } from "@wharf/agent-protocol";
import { build, type Plugin } from "esbuild";
import { z } from "zod";

const execFileAsync = promisify(execFile);
const require = createRequire(import.meta.url);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const files = {
  bundle: path.join(dist, "wharf-agent.cjs"),
  seaConfig: path.join(dist, "sea-config.json"),
  blob: path.join(dist, "sea-prep.blob"),
  binary: path.join(dist, "wharf-agent"),
  gz: path.join(dist, "wharf-agent.gz"),
  manifest: path.join(dist, "manifest.json"),
};

const VERSION_PLACEHOLDER = "@@WHARF_AGENT_VERSION@@";
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

const agentManifest = z.object({
  version: z.string(),
  protocolVersion: z.number().int(),
  /** Of the uncompressed binary. */
  sha256: z.string(),
  gzSha256: z.string(),
  sizeBytes: z.number().int(),
  gzSizeBytes: z.number().int(),
  platform: z.literal("linux"),
  arch: z.literal("x64"),
  /** The Node runtime inside the binary; a new one means a rebuild even for the same bundle. */
  nodeVersion: z.string(),
});
type AgentManifest = z.infer<typeof agentManifest>;

// The agent only talks to a local Docker socket. These packages serve
// dockerode's SSH transport and BuildKit sessions, and ssh2 loads native
// addons (cpu-features, sshcrypto) that a single file cannot carry.
const UNUSED_PACKAGES = ["ssh2", "cpu-features", "@grpc/grpc-js", "@grpc/proto-loader", "protobufjs"];

const stubUnusedPackages: Plugin = {
  name: "stub-unused-packages",
  setup(pluginBuild) {
    const filter = new RegExp(`^(${UNUSED_PACKAGES.map((name) => name.replace(/[/.]/g, "\\$&")).join("|")})$`);
    pluginBuild.onResolve({ filter }, (args) => ({ path: args.path, namespace: "unused" }));
    pluginBuild.onLoad({ filter: /.*/, namespace: "unused" }, (args) => ({
      loader: "js",
      contents: `const fail = () => { throw new Error(${JSON.stringify(`${args.path} is not included in the Wharf agent`)}); };
module.exports = new Proxy({}, { get: (_target, key) => (key === "__esModule" ? false : fail) });`,
    }));
  },
};

// zod re-exports every translation of its messages as `z.locales`; the agent
// speaks English only (zod registers it itself), and the other ~60 are half
// of zod's code: text the agent would keep in memory for its whole life.
const englishOnlyZodLocales: Plugin = {
  name: "english-only-zod-locales",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: path.join(path.dirname(args.importer), "../locales/index.js"), namespace: "zod-locales" }
        : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      loader: "js",
      resolveDir: path.dirname(args.path),
      contents: `export { default as en } from "./en.js";`,
    }));
  },
};

async function main(): Promise<void> {
  const started = performance.now();
  const lap = timer();
  const pkg = z.object({ version: z.string() }).parse(JSON.parse(await readFile(path.join(root, "package.json"), "utf8")));
  await mkdir(dist, { recursive: true });

  const bundled = await build({
    entryPoints: [path.join(root, "src/main.ts")],
    // Module path comments in the bundle are relative to this: same bytes (and hash) from any cwd.
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    define: { __WHARF_AGENT_VERSION__: JSON.stringify(VERSION_PLACEHOLDER) },
    plugins: [stubUnusedPackages, englishOnlyZodLocales],
    // Half the source text the agent keeps in memory; names stay, so stack traces still read.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "warning",
  });
  const output = bundled.outputFiles[0];
  if (!output) throw new Error("esbuild produced no output");
  const hash = sha256(Buffer.from(output.contents)).slice(0, 12);
  const version = `${pkg.version}+${hash}`;
  console.log(`bundle ${formatBytes(output.contents.length)} in ${lap()} ms, version ${version}`);

  const previous = await readManifest();
  if (previous?.version === version && previous.nodeVersion === process.version && (await matches(previous))) {
    console.log(`dist/wharf-agent is up to date (${formatBytes(previous.sizeBytes)}, gz ${formatBytes(previous.gzSizeBytes)}); total ${Math.round(performance.now() - started)} ms`);
    return;
  }

  await writeFile(files.bundle, output.text.replaceAll(VERSION_PLACEHOLDER, version));
  await writeFile(
    files.seaConfig,
    JSON.stringify({
      main: files.bundle,
      output: files.blob,
      disableExperimentalSEAWarning: true,
      // Compiled code in the blob: the agent answers its first request sooner.
      useCodeCache: true,
    }),
  );
  await execFileAsync(process.execPath, ["--experimental-sea-config", files.seaConfig], { cwd: dist });
  console.log(`sea blob in ${lap()} ms`);

  const staging = `${files.binary}.tmp`;
  await rm(staging, { force: true });
  await copyFile(process.execPath, staging);
  await execFileAsync(process.execPath, [
    require.resolve("postject/dist/cli.js"),
    staging,
    "NODE_SEA_BLOB",
    files.blob,
    "--sentinel-fuse",
    SEA_FUSE,
  ]);
  await chmod(staging, 0o755);
  const { stdout } = await execFileAsync(staging, ["version"], { env: {}, cwd: "/" });
  if (stdout.trim() !== version) throw new Error(`the built binary reports version ${stdout.trim()}, expected ${version}`);
  await rename(staging, files.binary);
  await Promise.all([rm(files.blob, { force: true }), rm(files.seaConfig, { force: true })]);
  console.log(`binary injected and checked in ${lap()} ms`);

  const binaryHash = createHash("sha256");
  const gzHash = createHash("sha256");
  await pipeline(
    createReadStream(files.binary),
    tap(binaryHash),
    createGzip({ level: 6 }),
    tap(gzHash),
    createWriteStream(files.gz),
  );
  console.log(`gzip in ${lap()} ms`);

  const manifest: AgentManifest = {
    version,
    protocolVersion: PROTOCOL_VERSION,
    sha256: binaryHash.digest("hex"),
    gzSha256: gzHash.digest("hex"),
    sizeBytes: (await stat(files.binary)).size,
    gzSizeBytes: (await stat(files.gz)).size,
    platform: "linux",
    arch: "x64",
    nodeVersion: process.version,
  };
  await writeFile(files.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(
    `dist/wharf-agent ${formatBytes(manifest.sizeBytes)}, gz ${formatBytes(manifest.gzSizeBytes)}; total ${Math.round(performance.now() - started)} ms`,
  );
}

async function readManifest(): Promise<AgentManifest | null> {
  try {
    return agentManifest.parse(JSON.parse(await readFile(files.manifest, "utf8")));
  } catch {
    return null;
  }
}

/** The artifacts the manifest describes are still there (sizes only: hashing 100 MB on every rerun is what skipping avoids). */
async function matches(manifest: AgentManifest): Promise<boolean> {
  try {
    const [binary, gz] = await Promise.all([stat(files.binary), stat(files.gz)]);
    return binary.size === manifest.sizeBytes && gz.size === manifest.gzSizeBytes;
  } catch {
    return false;
  }
}

function tap(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function timer(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const elapsed = Math.round(now - last);
    last = now;
    return elapsed;
  };
}

function formatBytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

await main();
