import os from "node:os";

import { z } from "zod";

import { parseDockerResponse } from "../docker/client";
import { detectCompose } from "../docker/compose";
import { probeCapabilities } from "../host/capabilities";
import type { CallHandler } from "./context";

const dockerInfo = z.object({
  ServerVersion: z.string(),
  OperatingSystem: z.string(),
  KernelVersion: z.string(),
  Architecture: z.string(),
  NCPU: z.number(),
  MemTotal: z.number(),
  DockerRootDir: z.string(),
  Driver: z.string(),
  // Engines before 20.10 only ran on cgroup v1 and do not report it.
  CgroupVersion: z.string().nullish(),
  CgroupDriver: z.string().nullish(),
  Runtimes: z.record(z.string(), z.unknown()).nullish(),
  DefaultRuntime: z.string().nullish(),
  Containers: z.number(),
  ContainersRunning: z.number(),
  ContainersStopped: z.number(),
  Images: z.number(),
});

const dockerVersion = z.object({ ApiVersion: z.string() });

// dockerode's info() and version() take an options object with abortSignal at
// runtime; its typings only declare the callback form.
interface SignalledQueries {
  info(options: { abortSignal: AbortSignal }): Promise<unknown>;
  version(options: { abortSignal: AbortSignal }): Promise<unknown>;
}

export const hostFacts: CallHandler<"hostFacts"> = async (_params, ctx) => {
  const docker = ctx.docker as unknown as SignalledQueries;
  const [rawInfo, rawVersion, compose] = await Promise.all([
    docker.info({ abortSignal: ctx.signal }),
    docker.version({ abortSignal: ctx.signal }),
    detectCompose(ctx.env.childEnv, ctx.signal),
  ]);
  const info = parseDockerResponse(dockerInfo, rawInfo, "`docker info`");
  const version = parseDockerResponse(dockerVersion, rawVersion, "`docker version`");
  const cgroupVersion = info.CgroupVersion ?? "1";
  const runtimes = Object.keys(info.Runtimes ?? {});
  return {
    hostname: os.hostname(),
    os: info.OperatingSystem,
    kernel: info.KernelVersion,
    architecture: info.Architecture,
    cpus: info.NCPU,
    memoryBytes: info.MemTotal,
    docker: {
      version: info.ServerVersion,
      apiVersion: version.ApiVersion,
      rootDir: info.DockerRootDir,
      storageDriver: info.Driver,
      cgroupVersion,
      cgroupDriver: info.CgroupDriver ?? "cgroupfs",
      runtimes,
      defaultRuntime: info.DefaultRuntime ?? "runc",
      containers: { total: info.Containers, running: info.ContainersRunning, stopped: info.ContainersStopped },
      images: info.Images,
    },
    compose,
    capabilities: probeCapabilities({
      cgroupVersion,
      runtimes,
      dockerSocketPath: ctx.env.docker.kind === "unix" ? ctx.env.docker.socketPath : null,
    }),
  };
};
