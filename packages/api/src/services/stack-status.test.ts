import type { ComposeContainer, ComposeServiceStatus } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";

import { computeDrift, deployedServices } from "./stack-status";

function container(name: string, overrides: Partial<ComposeContainer> = {}): ComposeContainer {
  return {
    id: `${name}-id`,
    name,
    service: name.split("-")[1] ?? name,
    state: "running",
    status: "Up 1 minute",
    health: null,
    exitCode: null,
    restartCount: 0,
    ports: [],
    image: "busybox:latest",
    imageId: "sha256:aaa",
    imageDigest: null,
    createdAt: "2024-05-01T10:00:00Z",
    startedAt: "2024-05-01T10:00:00Z",
    ...overrides,
  };
}

const status = (service: string, containers: ComposeContainer[]): ComposeServiceStatus => ({ service, containers });
const image = (service: string, imageId = "sha256:aaa") => ({ service, image: "busybox:latest", imageId, repoDigests: [], containers: [] });

describe("deployedServices", () => {
  it("reads services and their replicas from a merged config (v2 or v1)", () => {
    expect(deployedServices("name: shop\nservices:\n  web:\n    image: a\n    deploy:\n      replicas: 3\n  worker:\n    scale: 2\n  db:\n    image: b\n")).toEqual([
      { name: "db", replicas: 1 },
      { name: "web", replicas: 3 },
      { name: "worker", replicas: 2 },
    ]);
    expect(deployedServices(": not yaml [")).toEqual([]);
  });
});

describe("computeDrift", () => {
  it("is in sync when what runs is what was deployed", () => {
    const drift = computeDrift([{ name: "web", replicas: 1 }], [image("web")], [status("web", [container("shop-web-1")])]);
    expect(drift).toEqual({ missing: [], extra: [], notRunning: [], imageChanged: [], inSync: true });
  });

  it("finds removed containers, extra ones, stopped ones and changed images", () => {
    const drift = computeDrift(
      [
        { name: "web", replicas: 2 },
        { name: "worker", replicas: 1 },
        { name: "db", replicas: 1 },
      ],
      [image("web"), image("worker"), image("db")],
      [
        status("web", [container("shop-web-1", { imageId: "sha256:bbb" })]),
        status("worker", [container("shop-worker-1", { state: "exited", exitCode: 137 })]),
        status("debug", [container("shop-debug-1")]),
      ],
    );
    expect(drift.missing).toEqual([
      { service: "web", expected: 2, found: 1 },
      { service: "db", expected: 1, found: 0 },
    ]);
    expect(drift.extra).toEqual([{ service: "debug", container: "shop-debug-1" }]);
    expect(drift.notRunning).toEqual([{ service: "worker", container: "shop-worker-1", state: "exited" }]);
    expect(drift.imageChanged).toEqual([{ service: "web", container: "shop-web-1", deployedImageId: "sha256:aaa", runningImageId: "sha256:bbb" }]);
    expect(drift.inSync).toBe(false);
  });
});
