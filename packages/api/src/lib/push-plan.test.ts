import { describe, expect, it } from "vitest";

import { pushPlan, splitReference, type TeamRegistry } from "./push-plan";

const registries: TeamRegistry[] = [
  { id: "r1", name: "local", kind: "V2", address: "10.0.0.1:5000" },
  { id: "r2", name: "hub", kind: "DOCKER_HUB", address: "docker.io" },
  { id: "r3", name: "ecr", kind: "ECR", address: "123456789012.dkr.ecr.eu-west-1.amazonaws.com" },
];

describe("splitReference", () => {
  it("reads the registry, repository and tag the way docker does", () => {
    expect(splitReference("10.0.0.1:5000/team/web:1.2")).toEqual({ address: "10.0.0.1:5000", path: "team/web", tag: "1.2" });
    expect(splitReference("localhost/web")).toEqual({ address: "localhost", path: "web", tag: "latest" });
    expect(splitReference("team/web")).toEqual({ address: "docker.io", path: "team/web", tag: "latest" });
    expect(splitReference("busybox:1")).toEqual({ address: "docker.io", path: "busybox", tag: "1" });
    expect(splitReference("registry.example.com:5000/web")).toEqual({ address: "registry.example.com:5000", path: "web", tag: "latest" });
  });
});

describe("pushPlan", () => {
  it("pushes built services whose image names a team registry, and says why each other service is left out", () => {
    const plan = pushPlan(
      [
        {
          content: [
            "services:",
            "  web: { build: ./web, image: 10.0.0.1:5000/team/web:1.2 }",
            "  api: { build: ./api, image: team/api }",
            "  worker: { build: ./worker, image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker:7 }",
            "  db: { image: postgres:16 }",
            "  local: { build: ./local }",
            "  other: { build: ./other, image: ghcr.io/acme/other:1 }",
            "  official: { build: ./o, image: nginx:1 }",
            "  variable: { build: ./v, image: '${REGISTRY}/v:1' }",
            "  pinned: { build: ./p, image: '10.0.0.1:5000/p@sha256:0000000000000000000000000000000000000000000000000000000000000000' }",
          ].join("\n"),
        },
        // A later file overrides the image, as compose merges them.
        { content: "services:\n  api:\n    image: team/api:2\n" },
      ],
      registries,
    );
    expect(plan.targets).toEqual([
      { service: "api", image: "team/api:2", registryId: "r2", registryName: "hub", repository: "team/api", tag: "2" },
      { service: "web", image: "10.0.0.1:5000/team/web:1.2", registryId: "r1", registryName: "local", repository: "team/web", tag: "1.2" },
      { service: "worker", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker:7", registryId: "r3", registryName: "ecr", repository: "worker", tag: "7" },
    ]);
    const why = Object.fromEntries(plan.skipped.map((entry) => [entry.service, entry.why]));
    expect(Object.keys(why).sort()).toEqual(["db", "local", "official", "other", "pinned", "variable"]);
    expect(why.db).toMatch(/no build section/);
    expect(why.local).toMatch(/no image:/);
    expect(why.other).toMatch(/names ghcr\.io, for which the team has no registry credentials/);
    expect(why.official).toMatch(/official Docker Hub image/);
    expect(why.variable).toMatch(/variable/);
    expect(why.pinned).toMatch(/pinned by digest/);
  });

  it("pushes nothing when the team has no registry", () => {
    const plan = pushPlan([{ content: "services:\n  web: { build: ., image: 10.0.0.1:5000/web }\n" }], []);
    expect(plan.targets).toEqual([]);
    expect(plan.skipped).toHaveLength(1);
  });
});
