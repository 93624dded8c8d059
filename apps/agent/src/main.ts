import path from "node:path";
import { parseArgs } from "node:util";

import { CliError } from "./cli-error";
import { parseSuperviseJob, superviseRun, type Supervision } from "./compose/supervise";
import type { AgentEnv } from "./env";
import { AGENT_VERSION } from "./version";

// Every compose run starts `supervise`, so what this file imports statically
// stays light (Node built-ins, no zod, no protocol schemas): evaluating the
// whole agent took 300-600 ms of each run on a busy host. The daemon's
// commands load the rest when chosen.

const USAGE = `usage: wharf-agent <command>
  serve --socket PATH             run the agent in the foreground
  start --socket PATH --log PATH  run it in the background; prints {"pid":N,"version":"..."}
  stop --socket PATH              stop the agent serving PATH
  version                         print the agent version
  supervise                       run one compose command for the agent, read from stdin as
                                  JSON, recording its output and exit in its directory
                                  (started by the agent, ahead of need)`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "version":
      options(rest, []);
      console.log(AGENT_VERSION);
      return 0;
    case "serve": {
      const { socket } = options(rest, ["socket"]);
      const env = await environment();
      const [{ serve }, { createLogger }] = await Promise.all([import("./daemon"), import("./log")]);
      await serve(socket, env, createLogger(env.logLevel));
      return 0;
    }
    case "start": {
      const { socket, log } = options(rest, ["socket", "log"]);
      // Fail on a bad environment here rather than in the detached child.
      await environment();
      const { start } = await import("./daemon");
      console.log(JSON.stringify(await start(socket, log)));
      return 0;
    }
    case "stop": {
      const { socket } = options(rest, ["socket"]);
      const { stop } = await import("./daemon");
      console.log(JSON.stringify({ stopped: await stop(socket) }));
      return 0;
    }
    case "supervise": {
      options(rest, []);
      // Until its run arrives, a spare may simply be stopped.
      let run: Supervision | null = null;
      process.on("SIGTERM", () => (run === null ? process.exit(0) : run.stop()));
      // A hangup or an interrupt aimed at the daemon's terminal is not a cancel.
      process.on("SIGHUP", () => undefined);
      process.on("SIGINT", () => undefined);
      const job = parseSuperviseJob(await readStdin());
      if (job === null) return 0;
      run = superviseRun(job.dir, job.argv, { cwd: job.cwd, env: job.env });
      await run.done;
      return 0;
    }
    case undefined:
    case "help":
    case "--help":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function environment(): Promise<AgentEnv> {
  const { loadEnv } = await import("./env");
  try {
    return loadEnv();
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}

/** Parses `--name PATH` options, all required, into absolute paths. */
function options<K extends string>(args: string[], names: K[]): Record<K, string> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(names.map((name) => [name, { type: "string" as const }])),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals.join(" ")}`);
  const result = {} as Record<K, string>;
  for (const name of names) {
    const value = values[name];
    if (typeof value !== "string" || value === "") throw new UsageError(`--${name} PATH is required`);
    // The pidfile check and `stop` compare paths as given, so keep them canonical.
    result[name] = path.resolve(value);
  }
  return result;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`wharf-agent: ${error.message}\n${USAGE}`);
      process.exit(2);
    }
    // Expected failures are one line; anything else is a bug worth its stack.
    const message = error instanceof CliError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`wharf-agent: ${message}`);
    process.exit(1);
  },
);
