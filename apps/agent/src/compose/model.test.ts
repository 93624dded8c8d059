import { requestedLimits } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";

import { bytesOf, effectiveLimits, microsecondsOf, parseComposeModel } from "./model";

// Real `config` output of one file with every limit, from compose 2.26 and from 1.29 (project directory renamed).
const V2 = `name: lim
services:
  built:
    build:
      context: /stacks/lim/app
      dockerfile: Dockerfile
    networks:
      default: null
  rt:
    cap_add:
      - SYS_NICE
    cpu_rt_period: 1000000
    cpu_rt_runtime: 400000
    cpus: 1.5
    cpuset: 0-1
    deploy:
      replicas: 2
      resources:
        limits:
          cpus: 1.5
          memory: "1073741824"
        reservations:
          memory: "536870912"
          devices:
            - capabilities:
                - gpu
              driver: nvidia
              count: 1
    image: wharf-test/busybox:latest
    mem_limit: "1073741824"
    mem_reservation: "536870912"
    networks:
      default: null
    ulimits:
      memlock:
        soft: -1
        hard: -1
      nofile:
        soft: 1024
        hard: 4096
      rtprio: 99
networks:
  default:
    name: lim_default
`;

const V1 = `services:
  built:
    build:
      context: /stacks/lim/app
  rt:
    cap_add:
    - SYS_NICE
    cpu_rt_period: 1000000
    cpu_rt_runtime: 400000
    cpus: 1.5
    cpuset: 0-1
    deploy:
      replicas: 2
      resources:
        limits:
          cpus: 1.5
          memory: 1G
        reservations:
          devices:
          - capabilities:
            - gpu
            count: 1
            driver: nvidia
          memory: 512M
    image: wharf-test/busybox:latest
    mem_limit: 1g
    mem_reservation: 512m
    ulimits:
      memlock:
        hard: -1
        soft: -1
      nofile:
        hard: 4096
        soft: 1024
      rtprio: 99
version: '3.9'
`;

describe("parseComposeModel", () => {
  it("reads services, images, builds and limits the same from v2 and v1 output", () => {
    for (const merged of [V2, V1]) {
      const services = parseComposeModel(merged, "/stacks/lim");
      expect(services.map((service) => service.name)).toEqual(["built", "rt"]);
      const [built, rt] = services;
      expect(built).toMatchObject({ image: null, build: { context: "/stacks/lim/app", inline: false }, replicas: 1, limits: {} });
      expect(rt).toMatchObject({ image: "wharf-test/busybox:latest", build: null, replicas: 2 });
      expect(requestedLimits.parse(rt?.limits)).toEqual({
        memoryBytes: 1024 ** 3,
        memoryReservationBytes: 512 * 1024 ** 2,
        cpus: 1.5,
        cpuset: "0-1",
        cpuRtRuntime: 400000,
        cpuRtPeriod: 1000000,
        ulimits: { memlock: { soft: -1, hard: -1 }, nofile: { soft: 1024, hard: 4096 }, rtprio: { soft: 99, hard: 99 } },
        capAdd: ["SYS_NICE"],
        gpus: { count: 1, capabilities: ["gpu"] },
      });
    }
  });

  it("reads `gpus: all` (v2 prints it as count -1) and resolves relative contexts", () => {
    const [service] = parseComposeModel("services:\n  g:\n    gpus:\n      - count: -1\n    build: ./app\n", "/stacks/g");
    expect(service?.limits.gpus).toEqual({ count: "all" });
    expect(service?.build?.context).toBe("/stacks/g/app");
    const [remote] = parseComposeModel("services:\n  r:\n    build: https://github.com/example/app.git\n", "/stacks/g");
    expect(remote?.build?.context).toBeNull();
  });

  it("ignores fields it cannot read instead of failing", () => {
    const [service] = parseComposeModel("services:\n  odd:\n    image: x\n    cpus: [1]\n    ulimits: {bogus: 1, nproc: 10}\n", "/s");
    expect(service?.limits).toEqual({ ulimits: { nproc: { soft: 10, hard: 10 } } });
  });
});

describe("units", () => {
  it("parses Docker memory sizes", () => {
    expect(bytesOf("1073741824")).toBe(1073741824);
    expect(bytesOf("1g")).toBe(1024 ** 3);
    expect(bytesOf("512M")).toBe(512 * 1024 ** 2);
    expect(bytesOf("1.5gb")).toBe(1.5 * 1024 ** 3);
    expect(bytesOf(2048)).toBe(2048);
    expect(bytesOf("lots")).toBeNull();
  });

  it("parses real-time durations in microseconds", () => {
    expect(microsecondsOf(950000)).toBe(950000);
    expect(microsecondsOf("400ms")).toBe(400000);
    expect(microsecondsOf("1s")).toBe(1000000);
    expect(microsecondsOf("1.5s")).toBeNull();
  });
});

describe("effectiveLimits", () => {
  it("lets the control plane's fields win and merges ulimits by name", () => {
    expect(
      effectiveLimits(
        { memoryBytes: 100, ulimits: { nofile: { soft: 1, hard: 2 }, rtprio: { soft: 10, hard: 10 } } },
        { memoryBytes: 200, ulimits: { rtprio: { soft: 99, hard: 99 } } },
      ),
    ).toEqual({ memoryBytes: 200, ulimits: { nofile: { soft: 1, hard: 2 }, rtprio: { soft: 99, hard: 99 } } });
  });
});
