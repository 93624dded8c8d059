import { readdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import type { PreflightCheck, preflightParams, PreflightResult, RegistryAuth, RequestedLimits, UlimitName } from "@wharf/agent-protocol";
import type Docker from "dockerode";
import { z } from "zod";

import { parseDockerResponse } from "../docker/client";
import { dockerMessage } from "../docker/errors";
import { imageReferenceProblem, registryOf } from "../docker/image-reference";
import { AgentFailure } from "../failure";
import type { HandlerContext } from "../handlers/context";
import { type DaemonFacts, hostFiles, parseCapabilitySet, parseHardLimit, probeHost } from "../host/capabilities";
import { type ComposeService, effectiveLimits } from "./model";
import {
  capAddCheck,
  fail,
  formatUlimit,
  hostCannot,
  type HostResources,
  parseCpuList,
  pass,
  type ProbeOutcome,
  PROC_LIMIT_LABEL,
  realtimeBudgetCheck,
  realtimeCheck,
  type RealtimeRequest,
  resourceChecks,
  ulimitCheck,
} from "./preflight-checks";
import { loadConfig, type PreparedProject, withCheckedProject } from "./project";

const PROBE_LABEL = "io.wharf.preflight";
const REGISTRY_TIMEOUT_MS = 10_000;

const dockerInfo = z.object({
  NCPU: z.number(),
  MemTotal: z.number(),
  CgroupVersion: z.string().nullish(),
  Runtimes: z.record(z.string(), z.unknown()).nullish(),
});

/**
 * Whether this host can run the project as asked: each limit against what the
 * kernel, the Docker daemon and the hardware allow; ulimits and real-time CPU
 * also by starting a throwaway container with them; images and build contexts
 * by looking.
 */
export function runPreflight(ctx: HandlerContext, params: z.output<typeof preflightParams>): Promise<PreflightResult> {
  // Everything that reads the project's files runs while its scratch copy exists; the copy is gone before the answer.
  return withCheckedProject(ctx, params.project, (prepared) => checkProject(ctx, params, prepared));
}

async function checkProject(ctx: HandlerContext, params: z.output<typeof preflightParams>, prepared: PreparedProject): Promise<PreflightResult> {
  const { project } = params;
  const { command } = prepared;
  // What the host has is read while compose reads the project: each takes tens of milliseconds.
  // Both settle before anything is answered, so no compose is left running behind an error.
  const [config, facts] = await Promise.allSettled([loadConfig(ctx, prepared), hostResources(ctx, params.hostLabel ?? os.hostname())]);
  if (config.status === "rejected") throw config.reason;
  if (facts.status === "rejected") throw facts.reason;
  const loaded = config.value;
  const { resources, daemon } = facts.value;
  const services = loaded.services;
  const unknown = Object.keys(params.limits.services).filter((name) => !services.some((service) => service.name === name));
  if (unknown.length > 0) {
    throw new AgentFailure(
      "BAD_REQUEST",
      `limits name ${unknown.join(", ")}, which the project does not define (its services: ${services.map((service) => service.name).join(", ")})`,
    );
  }
  const host = resources.host;
  const wanted = services.map((service) => ({ service, limits: effectiveLimits(service.limits, params.limits.services[service.name]) }));
  const images = await imageChecks(ctx.docker, services, host, params.registryAuths ?? []);
  const needsProbe = wanted.some(
    ({ limits }) => limits.ulimits !== undefined || limits.cpuRtRuntime !== undefined || (limits.capAdd !== undefined && resources.daemonCapBnd === null),
  );
  const probe = new Prober(ctx.docker, needsProbe ? (images.local[0] ?? (await anyLocalImage(ctx.docker))) : null);

  const checks: PreflightCheck[] = [];
  for (const { service, limits } of wanted) checks.push(...resourceChecks(service.name, limits, resources));
  checks.push(...(await realtimeChecks(ctx.docker, project.name, wanted, resources, probe)));
  checks.push(...images.checks, ...(await buildContextChecks(services, prepared, host)));
  checks.push(...(await ulimitChecks(wanted, daemon, host, probe)));
  for (const { service, limits } of wanted) {
    if (limits.capAdd === undefined || limits.capAdd.length === 0) continue;
    const probeError = resources.daemonCapBnd !== null ? null : await probe.run({ CapAdd: limits.capAdd }, "cap_add");
    checks.push(capAddCheck(service.name, limits.capAdd, resources, probeError));
  }
  return { ok: checks.every((check) => check.ok), host, checks, merged: loaded.merged, compose: { flavor: command.flavor, version: command.version } };
}

type Wanted = { service: ComposeService; limits: RequestedLimits }[];

/**
 * Per service, then for the stack as a whole: each runtime within the
 * daemon's budget and granted to a test container (one at a time, as
 * concurrent ones would share the budget), then their sum with what other
 * stacks hold.
 */
async function realtimeChecks(docker: Docker, stack: string, wanted: Wanted, resources: HostResources, probe: Prober): Promise<PreflightCheck[]> {
  const requests: RealtimeRequest[] = wanted.flatMap(({ service, limits }) =>
    limits.cpuRtRuntime === undefined ? [] : [{ service: service.name, runtime: limits.cpuRtRuntime, replicas: service.replicas }],
  );
  if (requests.length === 0) return [];
  const held = await realtimeHeld(docker, stack);
  const checks: PreflightCheck[] = [];
  for (const { service, limits } of wanted) {
    const runtime = limits.cpuRtRuntime;
    if (runtime === undefined) continue;
    const unprobed = realtimeCheck(service.name, runtime, limits.cpuRtPeriod, resources);
    if (!unprobed.ok) {
      checks.push(unprobed);
      continue;
    }
    const probeError = await probe.run(
      { CpuRealtimeRuntime: runtime, ...(limits.cpuRtPeriod === undefined ? {} : { CpuRealtimePeriod: limits.cpuRtPeriod }) },
      `cpu_rt_runtime=${runtime}`,
    );
    // While the stack's own real-time containers run, their budget is taken until a deploy replaces them.
    const inconclusive = probeError !== null && held.self > 0;
    checks.push(inconclusive ? unprobed : realtimeCheck(service.name, runtime, limits.cpuRtPeriod, resources, probeError));
  }
  if (checks.every((check) => check.ok)) {
    const budgetCheck = realtimeBudgetCheck(stack, requests, held.others, resources);
    if (budgetCheck !== null) checks.push(budgetCheck);
  }
  return checks;
}

async function hostResources(ctx: HandlerContext, host: string): Promise<{ resources: HostResources; daemon: DaemonFacts }> {
  const info = parseDockerResponse(dockerInfo, await ctx.docker.info(), "`docker info`");
  const runtimes = Object.keys(info.Runtimes ?? {});
  const { capabilities, daemon } = probeHost({
    cgroupVersion: info.CgroupVersion ?? "1",
    runtimes,
    dockerSocketPath: ctx.env.docker.kind === "unix" ? ctx.env.docker.socketPath : null,
  });
  const online = parseCpuList(hostFiles.read("/sys/devices/system/cpu/online") ?? "");
  const status = daemon.found ? hostFiles.read(`/proc/${daemon.pid}/status`) : null;
  return {
    daemon,
    resources: {
      host,
      cpus: info.NCPU,
      memoryBytes: info.MemTotal,
      onlineCpus: online ?? Array.from({ length: info.NCPU }, (_, cpu) => cpu),
      runtimes,
      gpuDevices: await nvidiaDevices(),
      realtime: { capability: capabilities.realtimeCpu, budget: daemon.found && capabilities.realtimeCpu.available ? daemon.cpuRtRuntime : null },
      daemonCapBnd: status === null ? null : parseCapabilitySet(status, "CapBnd"),
    },
  };
}

async function nvidiaDevices(): Promise<number[]> {
  try {
    return (await readdir("/dev")).flatMap((name) => /^nvidia(\d+)$/.exec(name)?.[1] ?? []).map(Number);
  } catch {
    return [];
  }
}

const rtContainer = z.object({ HostConfig: z.object({ CpuRealtimeRuntime: z.number().nullish() }).nullish() });

/** Real-time µs per period held by the running containers of this stack and of all others. */
async function realtimeHeld(docker: Docker, stack: string): Promise<{ self: number; others: number }> {
  const running = await docker.listContainers({ all: false });
  const held = { self: 0, others: 0 };
  await Promise.all(
    running.map(async (container) => {
      const inspected = parseDockerResponse(rtContainer, await docker.getContainer(container.Id).inspect(), "container");
      const runtime = inspected.HostConfig?.CpuRealtimeRuntime ?? 0;
      if (container.Labels["com.docker.compose.project"] === stack) held.self += runtime;
      else held.others += runtime;
    }),
  );
  return held;
}

const imageInspect = z.object({ Id: z.string() });

async function imageChecks(docker: Docker, services: ComposeService[], host: string, auths: RegistryAuth[]): Promise<{ checks: PreflightCheck[]; local: string[] }> {
  const lookups = new Map<string, Promise<"local" | "missing">>();
  const lookup = (ref: string) => {
    let found = lookups.get(ref);
    if (found === undefined) {
      found = docker
        .getImage(ref)
        .inspect()
        .then((raw) => {
          imageInspect.parse(raw);
          return "local" as const;
        })
        .catch((error: unknown) => {
          if (statusCode(error) === 404) return "missing" as const;
          throw error;
        });
      lookups.set(ref, found);
    }
    return found;
  };
  const checks: PreflightCheck[] = [];
  const local: string[] = [];
  for (const service of services) {
    if (service.image === null) continue;
    const ref = service.image;
    // Compose passes any string; Docker refuses it only later, and in an API path a space or quote breaks the request itself.
    const invalid = imageReferenceProblem(ref);
    if (invalid !== null) {
      checks.push(fail(service.name, "image", hostCannot(host, `run image ${JSON.stringify(ref)}`, `it is not a valid image reference (${invalid})`, "fix the service's image: value, e.g. registry.example.com/team/app:1.2")));
    } else if ((await lookup(ref)) === "local") {
      local.push(ref);
      checks.push(pass(service.name, "image", `image ${ref} is on the host`));
    } else if (service.build !== null) {
      checks.push(pass(service.name, "image", `image ${ref} is not on the host yet; it will be built`));
    } else if (service.pullPolicy === "never") {
      checks.push(
        fail(service.name, "image", hostCannot(host, `run image ${ref}`, "it is not on the host and the service has pull_policy: never", "load the image on the host (docker load) or allow pulling")),
      );
    } else {
      checks.push(await pullableCheck(docker, service.name, ref, host, auths));
    }
  }
  return { checks, local: [...new Set(local)] };
}

/** Asks the registry (through the daemon) whether it has the image, without pulling it. */
async function pullableCheck(docker: Docker, service: string, ref: string, host: string, auths: RegistryAuth[]): Promise<PreflightCheck> {
  const auth = auths.find((candidate) => candidate.serverAddress === registryOf(ref));
  const authconfig = auth ? { username: auth.username, password: auth.password, serveraddress: auth.serverAddress } : undefined;
  try {
    await withTimeout(docker.getImage(ref).distribution(authconfig ? { authconfig } : {}), REGISTRY_TIMEOUT_MS);
    return pass(service, "image", `image ${ref} is not on the host; its registry has it, so it will be pulled`);
  } catch (error) {
    const message = dockerMessage(error);
    // Without the host's registry credentials the daemon cannot tell "private" from "absent"; compose pulls with them.
    if (statusCode(error) === 401 || /unauthorized|authentication required|denied/i.test(message)) {
      return pass(service, "image", `image ${ref} is not on the host; its registry wants credentials, which compose will use to pull it`);
    }
    return fail(
      service,
      "image",
      hostCannot(host, `pull image ${ref}`, `it is not on the host and the registry did not provide it (${message})`, "push the image to a registry the host can reach, or load it on the host (docker load)"),
    );
  }
}

async function buildContextChecks(services: ComposeService[], prepared: PreparedProject, host: string): Promise<PreflightCheck[]> {
  const dir = prepared.target.dir;
  const checks: PreflightCheck[] = [];
  for (const service of services) {
    const build = service.build;
    if (build === null || build.context === null) continue;
    const shown = path.relative(dir, build.context) || ".";
    // Contexts inside the project are in the copy; one elsewhere (`../shared`) is looked for where the live project would find it.
    const context = build.context === dir || build.context.startsWith(`${dir}${path.sep}`) ? build.context : prepared.toLive(build.context);
    if (!(await isDirectory(context))) {
      checks.push(
        fail(
          service.name,
          "build-context",
          hostCannot(host, `build service ${service.name}`, `its build context ${shown} does not exist in the stack directory`, "add the build context to the stack or use a prebuilt image"),
        ),
      );
      continue;
    }
    const dockerfile = build.dockerfile ?? "Dockerfile";
    if (!build.inline && !(await isFile(path.resolve(context, dockerfile)))) {
      checks.push(
        fail(
          service.name,
          "build-context",
          hostCannot(host, `build service ${service.name}`, `${path.relative(dir, path.resolve(build.context, dockerfile))} does not exist`, "add the Dockerfile to the stack or fix build.dockerfile"),
        ),
      );
      continue;
    }
    checks.push(pass(service.name, "build-context", `build context ${shown} is there`));
  }
  return checks;
}

/** One test container per distinct ulimit value (in parallel), shared by the services asking for it. */
async function ulimitChecks(wanted: Wanted, daemon: DaemonFacts, host: string, probe: Prober): Promise<PreflightCheck[]> {
  const limitsText = daemon.found ? hostFiles.read(`/proc/${daemon.pid}/limits`) : null;
  const asked = wanted.flatMap(({ service, limits }) =>
    (Object.entries(limits.ulimits ?? {}) as [UlimitName, { soft: number; hard: number }][]).map(([name, value]) => ({ service: service.name, name, value })),
  );
  const probes = new Map<string, Promise<string | null>>();
  for (const { name, value } of asked) {
    const key = formatUlimit(name, value);
    if (!probes.has(key)) probes.set(key, probe.run({ Ulimits: [{ Name: name, Soft: value.soft, Hard: value.hard }] }, `ulimit ${key}`));
  }
  const checks: PreflightCheck[] = [];
  for (const { service, name, value } of asked) {
    const error = await probes.get(formatUlimit(name, value));
    const outcome: ProbeOutcome = error === null || error === undefined ? { ok: true } : { ok: false, error };
    const daemonHard = limitsText === null ? null : parseHardLimit(limitsText, PROC_LIMIT_LABEL[name]);
    checks.push(ulimitCheck(service, name, value, outcome, daemonHard, host));
  }
  return checks;
}

/**
 * Throwaway containers that show whether Docker grants a HostConfig: each is
 * created and started, then removed. runc applies limits and capabilities
 * before it executes anything, so an image without /bin/true still proves them.
 */
class Prober {
  constructor(
    private readonly docker: Docker,
    private readonly image: string | null,
  ) {}

  /** Null when Docker started the container, else Docker's error. */
  async run(hostConfig: Docker.HostConfig, what: string): Promise<string | null> {
    if (this.image === null) return `no image is on the host to test ${what} with`;
    let container: Docker.Container | undefined;
    try {
      container = await this.docker.createContainer({
        Image: this.image,
        Entrypoint: ["/bin/true"],
        Cmd: [],
        Labels: { [PROBE_LABEL]: what },
        NetworkDisabled: true,
        HostConfig: { NetworkMode: "none", LogConfig: { Type: "none", Config: {} }, ...hostConfig },
      });
      await container.start();
      return null;
    } catch (error) {
      const message = dockerMessage(error);
      if (/executable file not found|no such file or directory/.test(message) && !/rlimit|caps|rt_runtime/.test(message)) return null;
      return message;
    } finally {
      await container?.remove({ force: true }).catch(() => undefined);
    }
  }
}

async function anyLocalImage(docker: Docker): Promise<string | null> {
  const images = await docker.listImages();
  return images[0]?.Id ?? null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function isDirectory(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null))?.isDirectory() ?? false;
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null))?.isFile() ?? false;
}

function statusCode(error: unknown): unknown {
  return typeof error === "object" && error !== null && "statusCode" in error ? error.statusCode : undefined;
}
