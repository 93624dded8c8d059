import { randomUUID } from "node:crypto";

import { Command, CommanderError, InvalidArgumentError, Option } from "commander";

import { ApiError, WharfClient } from "./client";
import { type CliConfig, loadConfig, saveConfig } from "./config";
import { processEnv } from "./env";

interface Ref {
  id: string;
  name: string;
}
interface StackRow extends Ref {
  latestRevision: { number: number } | null;
  targets: { host: Ref; state: { state: string } | null; lastDeployment?: { status: string; action: string } | null }[];
}
interface Job {
  id: string;
  action: string;
  status: string;
  exitCode: number | null;
  createdAt: string;
  stack?: Ref;
  host?: Ref;
  hostId?: string;
}
type OutputEvent =
  | { type: "lines"; lastSeq: number; lines: { stream: string; text: string }[] }
  | { type: "status"; status: string; exitCode: number | null; error: string | null };
interface LogEvent {
  service: string;
  lines: { stream: string; line: string }[];
}

/** Exit codes a shell script can test: 0 done, 1 the job or the request failed, 2 wrong usage or not logged in. */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

const positiveInt = (value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("Expected a whole number from 1.");
  return number;
};

export async function main(argv: string[], io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env: processEnv() }): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command("wharf")
    .description("Drive Wharf from a shell or a CI job: status, deploy, logs, rollback and jobs over its REST API.")
    .option("--json", "print machine-readable JSON instead of text")
    .showHelpAfterError("(run wharf --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  const json = (): boolean => program.opts<{ json?: boolean }>().json === true;
  const print = (value: unknown, text: () => string): void => io.out(json() ? `${JSON.stringify(value, null, 2)}\n` : text());
  const client = async (): Promise<WharfClient> => {
    const config = await loadConfig(io.env);
    if (!config) throw new UsageError("Not logged in: run `wharf login --url https://wharf.example.com` (or set WHARF_URL and WHARF_TOKEN).");
    return new WharfClient(config);
  };
  const findStack = async (api: WharfClient, name: string): Promise<StackRow> => {
    const stacks = await api.get<StackRow[]>("/stacks");
    const stack = stacks.find((s) => s.name === name || s.id === name);
    if (!stack) throw new UsageError(`No stack named "${name}" in this token's team. Stacks: ${stacks.map((s) => s.name).join(", ") || "none"}.`);
    return stack;
  };
  const hostIds = (stack: StackRow, names: string[] | undefined): string[] | undefined =>
    names?.map((name) => {
      const target = stack.targets.find((t) => t.host.name === name || t.host.id === name);
      if (!target) throw new UsageError(`${stack.name} does not run on "${name}". Its hosts: ${stack.targets.map((t) => t.host.name).join(", ")}.`);
      return target.host.id;
    });

  /** Starts the jobs, then (unless --no-wait) streams each one's output; the exit code is the jobs' result. */
  const runAction = async (stackName: string, action: string, options: { host?: string[]; revision?: number; wait: boolean; idempotencyKey?: string }) => {
    const api = await client();
    const stack = await findStack(api, stackName);
    const hosts = hostIds(stack, options.host);
    const body = { stackId: stack.id, action, ...(hosts ? { hostIds: hosts } : {}), ...(options.revision ? { revisionNumber: options.revision } : {}) };
    const jobs = await api.post<Job[]>(`/stacks/${stack.id}/jobs`, body, { "idempotency-key": options.idempotencyKey ?? randomUUID() });
    if (!options.wait) {
      print(jobs, () => jobs.map((job) => `${job.id} ${job.action.toLowerCase()} ${job.status.toLowerCase()}\n`).join(""));
      return;
    }
    const results: { id: string; status: string; exitCode: number | null; error: string | null }[] = [];
    for (const job of jobs) {
      let final: { status: string; exitCode: number | null; error: string | null } = { status: "UNKNOWN", exitCode: null, error: "The output stream ended before the job did." };
      for await (const event of api.events<OutputEvent>(`/jobs/${job.id}/output`)) {
        if (event.type === "lines" && !json()) for (const line of event.lines) (line.stream === "stderr" ? io.err : io.out)(`${line.text}\n`);
        if (event.type === "status" && ["SUCCEEDED", "FAILED", "CANCELLED"].includes(event.status)) final = event;
      }
      results.push({ id: job.id, ...final });
      if (!json()) io.err(`${action.toLowerCase()} ${job.id}: ${final.status.toLowerCase()}${final.error ? ` (${final.error})` : ""}\n`);
    }
    if (json()) io.out(`${JSON.stringify(results, null, 2)}\n`);
    if (results.some((result) => result.status !== "SUCCEEDED")) exitCode = EXIT.failed;
  };

  program
    .command("login")
    .description("Save the server's address and an API token (created on the team's Tokens page) to the config file, mode 0600")
    .requiredOption("--url <url>", "Wharf's address, e.g. https://wharf.example.com")
    .option("--token <token>", "the API token (default: $WHARF_TOKEN, else read from standard input)")
    .action(async (options: { url: string; token?: string }) => {
      const token = (options.token ?? io.env.WHARF_TOKEN ?? (await readStdin())).trim();
      if (!token.startsWith("wharf_")) throw new UsageError("That is not a Wharf API token (they start with wharf_): copy it from the Tokens page.");
      const config: CliConfig = { url: new URL(options.url).origin, token };
      const hosts = await new WharfClient(config).get<Ref[]>("/hosts");
      const file = await saveConfig(io.env, config);
      print({ url: config.url, config: file, hosts: hosts.length }, () => `Logged in to ${config.url} (${hosts.length} hosts visible); saved to ${file}.\n`);
    });

  program
    .command("status")
    .description("Stacks and their state on each host (from Wharf's records, no agent call)")
    .argument("[stack]", "only this stack")
    .action(async (stackName?: string) => {
      const api = await client();
      const stacks = (await api.get<StackRow[]>("/stacks")).filter((s) => !stackName || s.name === stackName || s.id === stackName);
      if (stackName && stacks.length === 0) throw new UsageError(`No stack named "${stackName}".`);
      print(stacks, () =>
        stacks
          .flatMap((s) => s.targets.map((t) => `${s.name}\t${t.host.name}\t${t.state?.state.toLowerCase().replace("_", " ") ?? "not deployed"}\trev ${s.latestRevision?.number ?? "-"}\n`))
          .join(""),
      );
    });

  const actionCommand = (name: string, action: string, description: string, revision: "required" | "optional" | "none") => {
    const command = program
      .command(name)
      .description(description)
      .argument("<stack>", "the stack's name")
      .option("--host <name...>", "only these hosts (default: every host of the stack)")
      .option("--no-wait", "print the jobs and return at once instead of streaming their output")
      .option("--idempotency-key <key>", "retrying with the same key never starts the jobs twice (default: a new key)");
    if (revision === "required") command.requiredOption("--revision <n>", "the revision to go back to", positiveInt);
    if (revision === "optional") command.option("--revision <n>", "the revision (default: the latest)", positiveInt);
    command.action((stackName: string, options: { host?: string[]; revision?: number; wait: boolean; idempotencyKey?: string }) => runAction(stackName, action, options));
  };
  actionCommand("deploy", "DEPLOY", "Deploy a stack and stream the output; exits 0 only if every job succeeded", "optional");
  actionCommand("redeploy", "REDEPLOY", "Recreate a stack's containers with the deployed revision", "none");
  actionCommand("rollback", "ROLLBACK", "Deploy an earlier revision of a stack", "required");
  actionCommand("down", "DOWN", "Stop and remove a stack's containers", "none");

  program
    .command("jobs")
    .description("Recent jobs, newest first")
    .option("--stack <name>", "only this stack's jobs")
    .option("--limit <n>", "how many (1-100)", positiveInt, 20)
    .action(async (options: { stack?: string; limit: number }) => {
      const api = await client();
      const stackId = options.stack ? (await findStack(api, options.stack)).id : undefined;
      const page = await api.get<{ items: Job[] }>("/jobs", { stackId, limit: options.limit });
      print(page.items, () => page.items.map((job) => `${job.id}\t${job.stack?.name ?? ""}\t${job.action.toLowerCase()}\t${job.status.toLowerCase()}\t${job.createdAt}\n`).join(""));
    });

  program
    .command("logs")
    .description("A stack's container logs on one host")
    .argument("<stack>", "the stack's name")
    .option("--host <name>", "the host (default: the stack's only host)")
    .option("-f, --follow", "keep printing new lines until interrupted")
    .addOption(new Option("-n, --tail <n>", "lines from the end of each container's log").default("200"))
    .option("--service <name...>", "only these services")
    .action(async (stackName: string, options: { host?: string; follow?: boolean; tail: string; service?: string[] }) => {
      const api = await client();
      const stack = await findStack(api, stackName);
      const [hostId] = hostIds(stack, options.host ? [options.host] : undefined) ?? [];
      if (!hostId && stack.targets.length !== 1) throw new UsageError(`${stack.name} runs on several hosts: choose one with --host (${stack.targets.map((t) => t.host.name).join(", ")}).`);
      const query = { hostId: hostId ?? stack.targets[0]?.host.id, tail: options.tail, follow: options.follow ? "true" : "false", service: options.service?.join(",") };
      const controller = new AbortController();
      process.once("SIGINT", () => controller.abort());
      try {
        for await (const event of api.events<LogEvent>(`/stacks/${stack.id}/logs`, query, controller.signal)) {
          for (const line of event.lines) io.out(json() ? `${JSON.stringify({ service: event.service, ...line })}\n` : `${event.service} | ${line.line}\n`);
        }
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      }
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const message = error instanceof Error ? error.message : String(error);
    if (json()) io.err(`${JSON.stringify({ error: error instanceof ApiError ? { code: error.code, message, details: error.details } : { message } })}\n`);
    else io.err(`wharf: ${message}\n`);
    return error instanceof UsageError || (error instanceof ApiError && error.status === 401) ? EXIT.usage : EXIT.failed;
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError("Pass --token, set WHARF_TOKEN, or pipe the token on standard input.");
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}
