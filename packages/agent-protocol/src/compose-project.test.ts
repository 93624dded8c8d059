import { describe, expect, it } from "vitest";

import { composeLogsParams } from "./compose-logs";
import { composeFilePathProblem, composeProject, composeProjectName, composeServiceName } from "./compose-project";
import { composeRunId, composeRunParams } from "./compose-run";
import { preflightParams } from "./preflight";

const files = [
  { path: "docker-compose.sample-service.yaml", content: "services: {}\n" },
  { path: "service/docker-compose.service.yaml", content: "services: {}\n" },
];

describe("compose file paths", () => {
  it("accepts relative, normalized paths", () => {
    for (const path of ["docker-compose.yaml", "service/docker-compose.service.yaml", ".hidden/x.yml", "a/b/c/d.yaml", "compose.override.yaml"]) {
      expect(composeFilePathProblem(path), path).toBeNull();
    }
  });

  it("rejects traversal, absolute paths, NUL and anything a shell or an option parser would read", () => {
    const rejected = {
      "": /empty/,
      "/etc/passwd": /absolute/,
      "../x.yaml": /stay inside/,
      "a/../../x.yaml": /stay inside/,
      "./x.yaml": /stay inside/,
      "a//b.yaml": /empty segment/,
      "a/": /empty segment/,
      "a\0.yaml": /NUL/,
      "a\\b.yaml": /backslash/,
      "-f.yaml": /must not start with -/,
      "$(touch pwned).yaml": /may only contain/,
      "`id`.yaml": /may only contain/,
      "a;rm -rf.yaml": /may only contain/,
      "with space.yaml": /may only contain/,
      ".env": /as env/,
      ".wharf-files.json": /reserved/,
    };
    for (const [path, problem] of Object.entries(rejected)) expect(composeFilePathProblem(path), JSON.stringify(path)).toMatch(problem);
    expect(composeFilePathProblem(`${"a/".repeat(130)}x`)).toMatch(/longer than/);
  });
});

describe("composeProject", () => {
  it("keeps the files in order and defaults overrides to none", () => {
    expect(composeProject.parse({ name: "shop", files })).toEqual({ name: "shop", files, overrideFiles: [] });
  });

  it("rejects bad names, duplicate paths, a file that is also a directory, and too many files", () => {
    for (const name of ["Shop", "-shop", "shop name", "$(id)", "a".repeat(64), ""]) expect(composeProjectName.safeParse(name).success, name).toBe(false);
    const issues = (input: unknown) => composeProject.safeParse(input).error?.issues.map((issue) => issue.message) ?? [];
    expect(issues({ name: "shop", files: [...files, files[0]] })).toEqual(['file path "docker-compose.sample-service.yaml" is given twice']);
    expect(issues({ name: "shop", files, overrideFiles: [{ path: "service", content: "" }] })).toEqual([
      'file path "service" is also a directory of "service/docker-compose.service.yaml"',
    ]);
    expect(issues({ name: "shop", files: [] })).toHaveLength(1);
    expect(issues({ name: "shop", files: Array.from({ length: 21 }, (_, i) => ({ path: `f${i}.yaml`, content: "" })) })).toHaveLength(1);
    expect(issues({ name: "shop", files: [{ path: "../../etc/cron.d/x", content: "" }] })[0]).toMatch(/stay inside/);
  });

  it("service names cannot be options or shell syntax", () => {
    for (const name of ["web", "web.v2", "worker_1", "API", "_db", "__init"]) expect(composeServiceName.safeParse(name).success, name).toBe(true);
    for (const name of ["-d", "--volumes", "$(id)", "a;b", "`id`", "a b", ".hidden", ""]) expect(composeServiceName.safeParse(name).success, name).toBe(false);
  });
});

describe("composeRunParams", () => {
  const project = { name: "shop", files };
  const runId = "cm3x9k2-0";

  it("accepts each action with the options that apply", () => {
    expect(composeRunParams.parse({ project, runId, action: "up" }).options).toEqual({});
    expect(composeRunParams.parse({ project, runId, action: "down", options: { volumes: true, removeOrphans: true } }).options).toEqual({ volumes: true, removeOrphans: true });
    expect(composeRunParams.parse({ project, runId, action: "restart", options: { services: ["web"] } }).options.services).toEqual(["web"]);
  });

  it("rejects options that do not apply and services that are not service names", () => {
    expect(composeRunParams.safeParse({ project, runId, action: "up", options: { volumes: true } }).success).toBe(false);
    expect(composeRunParams.safeParse({ project, runId, action: "stop", options: { removeOrphans: true } }).success).toBe(false);
    expect(composeRunParams.safeParse({ project, runId, action: "down", options: { services: ["web"] } }).success).toBe(false);
    expect(composeRunParams.safeParse({ project, runId, action: "up", options: { services: ["--volumes"] } }).success).toBe(false);
    expect(composeRunParams.safeParse({ project, runId, action: "exec" }).success).toBe(false);
  });

  it("run ids are plain names: they become a directory on the host", () => {
    for (const id of ["a", "cm3x9k2abc-0", "A_b-9"]) expect(composeRunId.safeParse(id).success, id).toBe(true);
    for (const id of ["", "-rf", "../x", "a/b", ".", "a b", "$(id)", "x".repeat(101)]) expect(composeRunId.safeParse(id).success, id).toBe(false);
    expect(composeRunParams.safeParse({ project, action: "up" }).success).toBe(false);
  });
});

describe("composeLogsParams", () => {
  it("takes RFC 3339 times and durations for since, defaults to all lines without follow", () => {
    expect(composeLogsParams.parse({ name: "shop" })).toEqual({ name: "shop", tail: "all", follow: false });
    for (const since of ["2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123456789+02:00", "90s", "15m", "2h", "1h30m"]) {
      expect(composeLogsParams.safeParse({ name: "shop", since }).success, since).toBe(true);
    }
    for (const since of ["", "yesterday", "10", "-1m", "2024-05-01"]) expect(composeLogsParams.safeParse({ name: "shop", since }).success, since).toBe(false);
  });
});

describe("preflightParams", () => {
  it("takes limits per service name", () => {
    const parsed = preflightParams.parse({
      project: { name: "rt", files },
      limits: { services: { web: { cpuRtRuntime: 950000, ulimits: { rtprio: { soft: 99, hard: 99 } }, capAdd: ["SYS_NICE"], gpus: { count: "all" } } } },
    });
    expect(parsed.limits.services.web?.ulimits?.rtprio).toEqual({ soft: 99, hard: 99 });
    expect(preflightParams.parse({ project: { name: "rt", files } }).limits).toEqual({ services: {} });
    expect(preflightParams.safeParse({ project: { name: "rt", files }, limits: { services: { web: { ulimits: { bogus: { soft: 1, hard: 1 } } } } } }).success).toBe(false);
    expect(preflightParams.safeParse({ project: { name: "rt", files }, limits: { services: { web: { cpuset: "0-1;reboot" } } } }).success).toBe(false);
  });
});
