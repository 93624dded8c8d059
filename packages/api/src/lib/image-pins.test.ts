import { describe, expect, it } from "vitest";

import { pinsFromDigests, renderImagePins } from "./image-pins";

const entry = (service: string, image: string, imageId: string, repoDigests: string[] = [], containers = [`${service}-1`]) => ({ service, image, imageId, repoDigests, containers });

describe("pinsFromDigests", () => {
  it("pins by the registry digest of the service's own repository, else by image id", () => {
    expect(
      pinsFromDigests([
        entry("web", "registry.local:5000/team/web:1.2", "sha256:aaa", ["other/web@sha256:111", "registry.local:5000/team/web@sha256:222"]),
        entry("worker", "wharf-test/busybox:latest", "sha256:bbb"),
        entry("db", "postgres", "sha256:ccc", ["postgres@sha256:333"]),
      ]),
    ).toEqual([
      { service: "db", image: "postgres@sha256:333" },
      { service: "web", image: "registry.local:5000/team/web@sha256:222" },
      { service: "worker", image: "sha256:bbb" },
    ]);
  });

  it("takes the image most of a half rolled-over service's containers ran", () => {
    expect(pinsFromDigests([entry("web", "app:1", "sha256:old", [], ["web-1"]), entry("web", "app:1", "sha256:new", [], ["web-2", "web-3"])])).toEqual([
      { service: "web", image: "sha256:new" },
    ]);
  });

  it("pins only the services whose tag now names another image than the one they ran", () => {
    const image = (id: string, repoTags: string[]) => ({ id, repoTags, repoDigests: [], sizeBytes: 1, createdAt: "2026-11-27T00:00:00Z", containers: 0, containerNames: [], untagged: null });
    expect(
      pinsFromDigests(
        [entry("web", "app:1", "sha256:old"), entry("worker", "busybox", "sha256:bbb"), entry("db", "docker.io/library/postgres:17", "sha256:ccc")],
        [image("sha256:new", ["app:1"]), image("sha256:bbb", ["busybox:latest"]), image("sha256:ccc", ["postgres:17"])],
      ),
    ).toEqual([{ service: "web", image: "sha256:old" }]);
  });
});

describe("renderImagePins", () => {
  it("renders an override that sets each service's image, or nothing without pins", () => {
    expect(renderImagePins([])).toBeNull();
    expect(renderImagePins([{ service: "web", image: "sha256:aaa" }])).toContain("services:\n  web:\n    image: sha256:aaa\n");
  });
});
