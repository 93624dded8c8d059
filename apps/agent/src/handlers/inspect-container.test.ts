import { describe, expect, it } from "vitest";

import { toContainerDetail } from "./inspect-container";

const base = {
  Id: "abc",
  Name: "/web-1",
  Image: "sha256:1",
  Created: "2026-11-29T10:00:00.123456789Z",
  Path: "sh",
  Args: ["-c", "sleep 1"],
  State: { Status: "exited", Running: false, Paused: false, Restarting: false, OOMKilled: true, Pid: 0, ExitCode: 137, StartedAt: "0001-01-01T00:00:00Z", FinishedAt: "2026-11-29T10:01:00Z" },
  Config: { Image: "busybox", Env: ["A=1", "EMPTY=", "B=x=y", "BARE"] },
  HostConfig: { Ulimits: null, CapAdd: null, Devices: null, PidsLimit: 0, RestartPolicy: { Name: "", MaximumRetryCount: 0 } },
};

describe("toContainerDetail", () => {
  it("splits env at the first =, reads Docker's zero time as never and keeps a port without binding", () => {
    const detail = toContainerDetail({ ...base, NetworkSettings: { Ports: { "80/tcp": null, "443/tcp": [{ HostIp: "0.0.0.0", HostPort: "8443" }] } } });
    expect(detail.env).toEqual([
      { name: "A", value: "1" },
      { name: "EMPTY", value: "" },
      { name: "B", value: "x=y" },
      { name: "BARE", value: "" },
    ]);
    expect(detail.name).toBe("web-1");
    expect(detail.command).toEqual(["sh", "-c", "sleep 1"]);
    expect(detail.state).toMatchObject({ startedAt: null, finishedAt: "2026-11-29T10:01:00.000Z", oomKilled: true, exitCode: 137 });
    expect(detail.restartPolicy).toEqual({ name: "no", maximumRetryCount: 0 });
    expect(detail.limits.pidsLimit).toBeNull();
    expect(detail.ports).toEqual([
      { containerPort: "80/tcp", hostIp: null, hostPort: null },
      { containerPort: "443/tcp", hostIp: "0.0.0.0", hostPort: "8443" },
    ]);
    expect(detail.health).toBeNull();
  });
});
