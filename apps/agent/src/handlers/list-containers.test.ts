import { containerSummary } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";

import { toContainerSummary } from "./list-containers";

describe("toContainerSummary", () => {
  it("maps Docker's container list entry", () => {
    const summary = toContainerSummary({
      Id: "0123456789abcdef",
      Names: ["/web/db", "/stack-web-1"],
      Image: "busybox:latest",
      ImageID: "sha256:aaa",
      Command: "sleep 1000",
      State: "running",
      Status: "Up 2 minutes",
      Created: 1_700_000_000,
      Ports: [
        { PrivatePort: 80, PublicPort: 8080, IP: "0.0.0.0", Type: "tcp" },
        { PrivatePort: 53, Type: "udp" },
      ],
      Labels: { "com.docker.compose.project": "stack", "com.docker.compose.service": "web" },
    });
    expect(containerSummary.parse(summary)).toEqual({
      id: "0123456789abcdef",
      name: "stack-web-1",
      image: "busybox:latest",
      imageId: "sha256:aaa",
      command: "sleep 1000",
      state: "running",
      status: "Up 2 minutes",
      createdAt: "2023-11-14T22:13:20.000Z",
      ports: [
        { privatePort: 80, publicPort: 8080, ip: "0.0.0.0", type: "tcp" },
        { privatePort: 53, publicPort: null, ip: null, type: "udp" },
      ],
      labels: { "com.docker.compose.project": "stack", "com.docker.compose.service": "web" },
      composeProject: "stack",
      composeService: "web",
    });
  });

  it("copes with the nulls older engines send", () => {
    const summary = toContainerSummary({
      Id: "0123456789abcdef",
      Names: null,
      Image: "x",
      ImageID: "sha256:x",
      State: "created",
      Status: "Created",
      Created: 0,
      Ports: null,
      Labels: null,
    });
    expect(summary).toMatchObject({ name: "0123456789ab", command: "", ports: [], labels: {}, composeProject: null });
  });
});
