import { describe, expect, it } from "vitest";

import { DEFAULT_GUARDRAIL_POLICY, evaluateGuardrails, GUARDRAIL_RULES, type GuardrailRule, guardrailRule, type GuardrailSubject, parseMerged, projectDirMatcher, readPolicy } from "./guardrails";

const insideProject = projectDirMatcher(".wharf", "shop");
const deployer: GuardrailSubject = { policy: DEFAULT_GUARDRAIL_POLICY, role: "DEPLOYER", waived: new Set<GuardrailRule>(), insideProject, scope: "production" };

function rulesOf(yaml: string, subject = deployer) {
  return evaluateGuardrails(parseMerged(yaml), subject).map((v) => [v.service, v.key, v.rule]);
}

describe("evaluateGuardrails", () => {
  it("finds each guarded feature in a merged config (v2 long syntax), one rule each", () => {
    const merged = `
services:
  app:
    image: busybox
    privileged: true
    cap_add: [NET_BIND_SERVICE, SYS_ADMIN]
    network_mode: host
    pid: host
    ipc: host
    userns_mode: host
    devices:
      - source: /dev/fuse
        target: /dev/fuse
        permissions: rwm
    gpus: all
    cpu_rt_runtime: 400000
    ulimits:
      rtprio: { soft: 10, hard: 10 }
      nofile: 1024
    security_opt: [apparmor=unconfined]
    volumes:
      - { type: bind, source: /etc, target: /host-etc }
      - { type: bind, source: /var/run/docker.sock, target: /var/run/docker.sock }
      - { type: bind, source: /srv/shop/data, target: /data }
      - { type: bind, source: /home/deploy/.wharf/stacks/shop/conf, target: /conf }
      - { type: volume, source: cache, target: /cache }
`;
    expect(rulesOf(merged)).toEqual([
      ["app", "privileged: true", "privileged"],
      ["app", "volumes: /etc", "bind-mount"],
      ["app", "volumes: /var/run/docker.sock", "docker-socket"],
      ["app", "cap_add: SYS_ADMIN", "cap-add"],
      ["app", "network_mode: host", "host-network"],
      ["app", "pid: host", "host-pid"],
      ["app", "ipc: host", "host-ipc"],
      ["app", "userns_mode: host", "host-userns"],
      ["app", "devices", "devices"],
      ["app", "gpus", "gpus"],
      ["app", "cpu_rt_runtime", "realtime-cpu"],
      ["app", "ulimits.rtprio", "rtprio"],
      ["app", "security_opt: apparmor=unconfined", "security-opt"],
    ]);
    expect(new Set(rulesOf(merged).map(([, , rule]) => rule))).toEqual(new Set(GUARDRAIL_RULES));
  });

  it("reads compose v1's short volume syntax and GPU reservations", () => {
    const merged = `
services:
  db:
    volumes: ["/:/host:ro", "data:/var/lib/data", "/srv/db:/db"]
    deploy: { resources: { reservations: { devices: [{ driver: nvidia, count: 1, capabilities: [gpu] }] } } }
`;
    expect(rulesOf(merged)).toEqual([
      ["db", "volumes: /", "bind-mount"],
      ["db", "deploy.resources.reservations.devices", "gpus"],
    ]);
  });

  it("does not let a path climb out of an allowed prefix or the project directory", () => {
    const merged = `
services:
  web:
    volumes:
      - { type: bind, source: /srv/../etc, target: /a }
      - { type: bind, source: /srvx, target: /b }
      - { type: bind, source: /home/deploy/.wharf/stacks/shop2, target: /c }
      - { type: bind, source: /run, target: /d }
`;
    expect(rulesOf(merged)).toEqual([
      ["web", "volumes: /etc", "bind-mount"],
      ["web", "volumes: /srvx", "bind-mount"],
      ["web", "volumes: /home/deploy/.wharf/stacks/shop2", "bind-mount"],
      ["web", "volumes: /run", "docker-socket"],
    ]);
  });

  it("allows owners and admins by default, and waives a rule granted as an exception", () => {
    const merged = "services:\n  app:\n    privileged: true\n    pid: host\n";
    expect(rulesOf(merged, { ...deployer, role: "ADMIN" })).toEqual([]);
    expect(rulesOf(merged, { ...deployer, waived: new Set<GuardrailRule>(["privileged"]) })).toEqual([["app", "pid: host", "host-pid"]]);
  });

  it("names the service, the key, the rule and who may use it", () => {
    const [violation] = evaluateGuardrails(parseMerged("services:\n  app:\n    privileged: true\n"), deployer);
    expect(violation?.message).toBe(
      "service app: privileged: true is refused by guardrail privileged (production: only owner, admin may use privileged mode, you are deployer); change the file, or ask an admin for an exception on this stack",
    );
  });
});

describe("policies", () => {
  it("fills rules a stored policy lacks with their defaults", () => {
    const policy = readPolicy({ allow: { privileged: [] }, bindMountPrefixes: ["/data/"], capAddAllowed: ["cap_net_admin"] });
    expect(policy.allow.privileged).toEqual([]);
    expect(policy.allow["host-pid"]).toEqual(["OWNER", "ADMIN"]);
    expect(policy.bindMountPrefixes).toEqual(["/data"]);
    expect(policy.capAddAllowed).toEqual(["NET_ADMIN"]);
  });

  it("refuses an unknown rule by name", () => {
    const result = guardrailRule.safeParse("privilege");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(`There is no guardrail rule named privilege: use one of ${GUARDRAIL_RULES.join(", ")}.`);
  });
});
