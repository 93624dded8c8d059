import { composeContainer, containerStatsEntry } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";

import { type InspectedContainer, pickDigest, serviceImages, toComposeContainer, toStatsEntry } from "./containers";

const listed = {
  Id: "c1",
  Names: ["/shop-web-1"],
  Image: "nginx:1.25",
  ImageID: "sha256:img",
  Command: "nginx",
  State: "running",
  Status: "Up 2 minutes (healthy)",
  Created: 1_700_000_000,
  Ports: [{ PrivatePort: 80, PublicPort: 8080, IP: "0.0.0.0", Type: "tcp" }],
  Labels: { "com.docker.compose.project": "shop", "com.docker.compose.service": "web" },
};

const inspected = (state: Partial<InspectedContainer["State"]>, restarts = 0): InspectedContainer => ({
  Id: "c1",
  Created: "2023-11-14T22:13:20.123456789Z",
  RestartCount: restarts,
  Image: "sha256:img",
  Config: { Image: "nginx:1.25" },
  State: { Status: "running", ExitCode: 0, StartedAt: "2023-11-14T22:13:21Z", FinishedAt: "0001-01-01T00:00:00Z", ...state },
});

describe("toComposeContainer", () => {
  it("maps a running, healthy container", () => {
    const container = toComposeContainer({ listed, service: "web" }, inspected({ Health: { Status: "healthy" } }), ["nginx@sha256:abc"]);
    expect(composeContainer.parse(container)).toEqual({
      id: "c1",
      name: "shop-web-1",
      service: "web",
      state: "running",
      status: "Up 2 minutes (healthy)",
      health: "healthy",
      exitCode: null,
      restartCount: 0,
      ports: [{ privatePort: 80, publicPort: 8080, ip: "0.0.0.0", type: "tcp" }],
      image: "nginx:1.25",
      imageId: "sha256:img",
      imageDigest: "nginx@sha256:abc",
      createdAt: "2023-11-14T22:13:20.123Z",
      startedAt: "2023-11-14T22:13:21.000Z",
    });
  });

  it("reports the exit code of an exited container and nothing for one never started", () => {
    const exited = toComposeContainer({ listed, service: "web" }, inspected({ Status: "exited", ExitCode: 137, FinishedAt: "2023-11-14T22:20:00Z" }, 3), []);
    expect(exited).toMatchObject({ state: "exited", exitCode: 137, restartCount: 3, imageDigest: null, health: null });
    const created = toComposeContainer({ listed, service: "web" }, inspected({ Status: "created", StartedAt: "0001-01-01T00:00:00Z" }), []);
    expect(created).toMatchObject({ exitCode: null, startedAt: null });
  });
});

describe("pickDigest", () => {
  it("prefers the digest of the repository the service names", () => {
    expect(pickDigest("registry.example.com:5000/app:1.2", ["other/app@sha256:1", "registry.example.com:5000/app@sha256:2"])).toBe("registry.example.com:5000/app@sha256:2");
    expect(pickDigest("app", ["mirror/app@sha256:1"])).toBe("mirror/app@sha256:1");
    expect(pickDigest("app", [])).toBeNull();
  });
});

describe("serviceImages", () => {
  it("groups containers by service and image", () => {
    const image = (id: string): InspectedContainer => ({ ...inspected({}), Image: id });
    expect(
      serviceImages(
        [
          { service: "web", name: "shop-web-2", inspected: image("sha256:new") },
          { service: "web", name: "shop-web-1", inspected: image("sha256:old") },
          { service: "db", name: "shop-db-1", inspected: image("sha256:old") },
          { service: "web", name: "shop-web-3", inspected: image("sha256:new") },
        ],
        new Map([["sha256:new", ["nginx@sha256:n"]]]),
      ),
    ).toEqual([
      { service: "db", image: "nginx:1.25", imageId: "sha256:old", repoDigests: [], containers: ["shop-db-1"] },
      { service: "web", image: "nginx:1.25", imageId: "sha256:new", repoDigests: ["nginx@sha256:n"], containers: ["shop-web-2", "shop-web-3"] },
      { service: "web", image: "nginx:1.25", imageId: "sha256:old", repoDigests: [], containers: ["shop-web-1"] },
    ]);
  });
});

describe("toStatsEntry", () => {
  it("computes CPU and memory as docker stats does (cgroup v1 sample)", () => {
    const raw = {
      read: "2024-05-01T10:00:01.5Z",
      cpu_stats: { cpu_usage: { total_usage: 3_000_000_000, percpu_usage: [1, 1] }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 2_500_000_000 }, system_cpu_usage: 18_000_000_000 },
      memory_stats: { usage: 100 * 1024 ** 2, limit: 512 * 1024 ** 2, stats: { total_inactive_file: 20 * 1024 ** 2, cache: 30 * 1024 ** 2 } },
    };
    expect(containerStatsEntry.parse(toStatsEntry({ id: "c1", name: "shop-web-1", service: "web" }, raw))).toEqual({
      id: "c1",
      name: "shop-web-1",
      service: "web",
      cpuPercent: 50,
      memoryUsageBytes: 80 * 1024 ** 2,
      memoryLimitBytes: 512 * 1024 ** 2,
      at: "2024-05-01T10:00:01.500Z",
    });
  });

  it("reports zero CPU without a previous sample", () => {
    const raw = { read: "2024-05-01T10:00:01Z", cpu_stats: { cpu_usage: { total_usage: 5 } }, precpu_stats: {}, memory_stats: {} };
    expect(toStatsEntry({ id: "c1", name: "n", service: "s" }, raw)).toMatchObject({ cpuPercent: 0, memoryUsageBytes: 0, memoryLimitBytes: 0 });
  });
});
