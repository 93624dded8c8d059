import { type ContainerSummary, OWNER_LABELS } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";

import { countComposeProjects, stackState, type StackStateInput } from "./host-stacks";

const deployedAt = new Date("2026-11-29T10:00:00Z");
const before = new Date("2026-11-29T09:59:50Z");
const after = new Date("2026-11-29T10:00:10Z");

const none: StackStateInput = { active: null, settled: null, ran: null, observed: null };
const deployed: StackStateInput = { ...none, settled: { action: "DEPLOY", status: "SUCCEEDED" }, ran: { action: "DEPLOY", finishedAt: deployedAt } };

describe("a stack's state on a host", () => {
  it("is not deployed before any job, and after down", () => {
    expect(stackState(none).state).toBe("NOT_DEPLOYED");
    expect(stackState({ ...none, settled: { action: "DOWN", status: "SUCCEEDED" }, ran: { action: "DOWN", finishedAt: deployedAt } }).state).toBe("NOT_DEPLOYED");
  });

  it("is deploying while a job is queued or running, whatever came before", () => {
    expect(stackState({ ...deployed, active: { action: "REDEPLOY" } })).toEqual({ state: "DEPLOYING", action: "REDEPLOY", containers: null });
  });

  it("is failed when the last deploy, redeploy or rollback failed, even if an older one succeeded", () => {
    expect(stackState({ ...deployed, settled: { action: "ROLLBACK", status: "FAILED" } })).toEqual({ state: "FAILED", action: "ROLLBACK", containers: null });
  });

  it("keeps what the last successful job left when a stop or restart failed", () => {
    expect(stackState({ ...deployed, settled: { action: "STOP", status: "FAILED" } }).state).toBe("RUNNING");
  });

  it("follows the last successful job without a count taken after it", () => {
    expect(stackState(deployed).state).toBe("RUNNING");
    expect(stackState({ ...deployed, ran: { action: "STOP", finishedAt: deployedAt } }).state).toBe("STOPPED");
    expect(stackState({ ...deployed, observed: { running: 0, total: 2, at: before } }).state).toBe("RUNNING");
  });

  it("follows the monitor's count taken after the job: running, partially running or stopped", () => {
    expect(stackState({ ...deployed, observed: { running: 2, total: 2, at: after } })).toEqual({ state: "RUNNING", action: null, containers: { running: 2, total: 2 } });
    expect(stackState({ ...deployed, observed: { running: 1, total: 2, at: after } }).state).toBe("PARTIAL");
    expect(stackState({ ...deployed, observed: { running: 0, total: 2, at: after } }).state).toBe("STOPPED");
    expect(stackState({ ...deployed, observed: { running: 0, total: 0, at: after } }).state).toBe("STOPPED");
  });
});

function container(name: string, composeProject: string | null, state: string, labels: Record<string, string> = {}): ContainerSummary {
  return { id: name, name, image: "busybox", imageId: "sha256:1", command: "sh", state, status: state, createdAt: "", ports: [], labels, composeProject, composeService: "web" };
}

const INSTALLATION = "0b0e9a6e-5a53-4c4f-9d5c-111111111111";
const owned = (installation: string, stack: string) => ({ [OWNER_LABELS.installation]: installation, [OWNER_LABELS.stack]: stack });

describe("counting compose projects", () => {
  it("counts running and all containers per project and owner, ignoring containers outside compose", () => {
    const at = new Date();
    const counts = countComposeProjects(
      [
        container("a-1", "shop", "running", owned(INSTALLATION, "stack-a")),
        container("a-2", "shop", "exited", owned(INSTALLATION, "stack-a")),
        container("c-1", "shop", "running", owned(INSTALLATION, "stack-c")),
        container("b-1", "api", "running"),
        container("loose", null, "running"),
      ],
      INSTALLATION,
      at,
    );
    expect(counts).toEqual({
      at,
      projects: [
        { project: "api", stack: null, running: 1, total: 1 },
        { project: "shop", stack: "stack-a", running: 1, total: 2 },
        { project: "shop", stack: "stack-c", running: 1, total: 1 },
      ],
    });
  });

  it("leaves out another installation's containers", () => {
    const counts = countComposeProjects([container("x-1", "shop", "running", owned("another-installation", "stack-a"))], INSTALLATION);
    expect(counts.projects).toEqual([]);
  });
});
