import type { WharfDeps } from "@wharf/api";
import { closeWharfDeps, createTestDeps, createTestUser, resetDatabase, type TestUser } from "@wharf/testing/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEFAULT_GUARDRAIL_POLICY, GUARDRAIL_RULES, type GuardrailRule } from "../lib/guardrails";
import { addHosts, IMAGE, problemsOf, uniqueName } from "../test-support/stacks";
import { expectTrpcError } from "../test-support/trpc";

// Every guardrail rule refused on a real compose file, as the agent on h1 merges it, for a deployer; the owner may save it.

let deps: WharfDeps;
let owner: TestUser;
let admin: TestUser;
let deployer: TestUser;
let h1: string;

const FILE = "compose.yaml";

function app(extra: string): string {
  return `services:\n  app:\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n${extra}`;
}

/** Per rule: the service's extra lines and the key the refusal must name. */
const CASES: Record<GuardrailRule, { yaml: string; key: string }> = {
  privileged: { yaml: "    privileged: true\n", key: "privileged: true" },
  "bind-mount": { yaml: "    volumes:\n      - /etc:/host-etc:ro\n", key: "volumes: /etc" },
  "docker-socket": { yaml: "    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n", key: "volumes: /var/run/docker.sock" },
  "cap-add": { yaml: "    cap_add: [SYS_ADMIN]\n", key: "cap_add: SYS_ADMIN" },
  "host-network": { yaml: "    network_mode: host\n", key: "network_mode: host" },
  "host-pid": { yaml: "    pid: host\n", key: "pid: host" },
  "host-ipc": { yaml: "    ipc: host\n", key: "ipc: host" },
  "host-userns": { yaml: "    userns_mode: host\n", key: "userns_mode: host" },
  devices: { yaml: "    devices:\n      - /dev/null:/dev/xnull\n", key: "devices" },
  gpus: { yaml: "    deploy:\n      resources:\n        reservations:\n          devices:\n            - { driver: nvidia, count: 1, capabilities: [gpu] }\n", key: "deploy.resources.reservations.devices" },
  "realtime-cpu": { yaml: "    cpu_rt_runtime: 10000\n", key: "cpu_rt_runtime" },
  rtprio: { yaml: "    ulimits:\n      rtprio: 0\n", key: "ulimits.rtprio" },
  "security-opt": { yaml: "    security_opt: [no-new-privileges:true]\n", key: "security_opt: no-new-privileges:true" },
};

async function ownerStack(purpose: string, content: string, options: { overlay?: string; limits?: Record<string, { capAdd: string[] }> } = {}) {
  return owner.caller.stack.create({
    name: uniqueName(purpose),
    targets: [{ hostId: h1, overlay: options.overlay ?? null }],
    revision: { message: "first", files: [{ path: FILE, content }], limits: options.limits ?? {} },
  });
}

beforeAll(async () => {
  deps = createTestDeps();
  await resetDatabase(deps);
  owner = await createTestUser(deps);
  admin = await createTestUser(deps, { teamId: owner.teamId, role: "ADMIN" });
  deployer = await createTestUser(deps, { teamId: owner.teamId, role: "DEPLOYER" });
  ({ h1 = "" } = await addHosts(owner, ["h1"]));
});

afterAll(async () => {
  await closeWharfDeps(deps);
});

describe("compose guardrails", () => {
  it.each(GUARDRAIL_RULES)("refuses %s to a deployer at preflight, naming the service, the key and the rule", async (rule) => {
    const { yaml, key } = CASES[rule];
    const stack = await ownerStack(`guard-${rule}`, app(yaml));
    const error = await expectTrpcError(deployer.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" }), "PRECONDITION_FAILED", new RegExp(`service app: ${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is refused by guardrail ${rule}`));
    expect(error.cause).toMatchObject({ reason: "GUARDRAIL_VIOLATION" });
    expect(problemsOf(error)).toContainEqual(expect.objectContaining({ path: ["guardrails", "h1", "app", rule] }));
    // Recorded as a refused job, with the reason in its output, and nothing started.
    const [job] = (await owner.caller.deployment.list({ stackId: stack.id })).items;
    expect(job).toMatchObject({ status: "FAILED", reason: "GUARDRAIL_VIOLATION" });
  });

  it("checks the merged config: a host overlay and Wharf's limits file count", async () => {
    const overlaid = await ownerStack("guard-overlay", app(""), { overlay: "services:\n  app:\n    pid: host\n" });
    await expectTrpcError(deployer.caller.deployment.start({ stackId: overlaid.id, action: "DEPLOY" }), "PRECONDITION_FAILED", /service app: pid: host is refused by guardrail host-pid/);
    const limited = await ownerStack("guard-limits", app(""), { limits: { app: { capAdd: ["SYS_PTRACE"] } } });
    await expectTrpcError(deployer.caller.deployment.start({ stackId: limited.id, action: "DEPLOY" }), "PRECONDITION_FAILED", /service app: cap_add: SYS_PTRACE is refused by guardrail cap-add/);
    // Within the defaults: a bind mount under /srv, the stack's own directory, NET_BIND_SERVICE.
    const fine = await ownerStack("guard-fine", app("    cap_add: [NET_BIND_SERVICE]\n    volumes:\n      - /srv/shop:/data\n      - ./conf:/conf\n"));
    const [job] = await deployer.caller.deployment.start({ stackId: fine.id, action: "DEPLOY" });
    expect(job?.status).toBe("QUEUED");
    await owner.caller.deployment.cancel({ deploymentId: job?.id ?? "" });
  });

  it("refuses at save for a role the policy restricts, and writes nothing", async () => {
    const stack = await ownerStack("guard-save", app(""));
    await owner.caller.guardrail.setPolicy({ environmentId: null, policy: { ...DEFAULT_GUARDRAIL_POLICY, allow: { ...DEFAULT_GUARDRAIL_POLICY.allow, "host-network": ["OWNER"] } } });
    try {
      const error = await expectTrpcError(
        admin.caller.stack.saveRevision({ stackId: stack.id, files: [{ path: FILE, content: app("    network_mode: host\n") }] }),
        "FORBIDDEN",
        /Not saved, the compose guardrails refuse it: h1: service app: network_mode: host is refused by guardrail host-network \(the team guardrails on h1: only owner may use/,
      );
      expect(error.cause).toMatchObject({ reason: "GUARDRAIL_VIOLATION" });
      expect((await owner.caller.stack.revisions({ stackId: stack.id })).items.map((r) => r.number)).toEqual([1]);
      await owner.caller.stack.saveRevision({ stackId: stack.id, files: [{ path: FILE, content: app("    network_mode: host\n") }] });
    } finally {
      await deps.db.guardrailPolicy.deleteMany({ where: { teamId: owner.teamId } });
    }
  });

  it("lets a deployer deploy what an admin excepted, records the grant in the audit, and refuses an unknown rule", async () => {
    const stack = await ownerStack("guard-exception", app(CASES.privileged.yaml));
    await expectTrpcError(
      deployer.caller.guardrail.grantException({ stackId: stack.id, rule: "privileged", reason: "needs raw sockets" }),
      "FORBIDDEN",
      /does not allow/,
    );
    const granted = await owner.caller.guardrail.grantException({ stackId: stack.id, rule: "privileged", reason: "vpn gateway needs raw sockets" });
    expect(granted).toMatchObject({ rule: "privileged", reason: "vpn gateway needs raw sockets" });
    const [job] = await deployer.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" });
    expect(job?.status).toBe("QUEUED");
    await owner.caller.deployment.cancel({ deploymentId: job?.id ?? "" });

    const audit = await owner.caller.audit.list({});
    expect(audit.items).toContainEqual(
      expect.objectContaining({ action: "guardrail.exception.grant", targetId: stack.id, summary: `Granted ${stack.name} an exception to guardrail privileged: vpn gateway needs raw sockets` }),
    );

    await expectTrpcError(
      owner.caller.guardrail.grantException({ stackId: stack.id, rule: "privilege" as GuardrailRule, reason: "typo" }),
      "BAD_REQUEST",
      /There is no guardrail rule named privilege: use one of privileged, bind-mount/,
    );
    await expectTrpcError(owner.caller.guardrail.grantException({ stackId: stack.id, rule: "privileged", reason: "again" }), "CONFLICT", /already has an exception/);
    expect(await owner.caller.guardrail.exceptions({ stackId: stack.id })).toHaveLength(1);

    await owner.caller.guardrail.revokeException({ stackId: stack.id, rule: "privileged" });
    await expectTrpcError(deployer.caller.deployment.start({ stackId: stack.id, action: "DEPLOY" }), "PRECONDITION_FAILED", /guardrail privileged/);
  });
});
