import { describe, expect, it } from "vitest";

import { composeInvalid, describeComposeProblem, locateSchemaProblem, type ProjectFileText, schemaProblemPath } from "./config-errors";

const base: ProjectFileText = {
  absolute: "/s/shop/docker-compose.sample-service.yaml",
  relative: "docker-compose.sample-service.yaml",
  content: "services:\n  web:\n    image: busybox\n",
};
const file = (relative: string, content: string): ProjectFileText => ({ absolute: `/s/shop/${relative}`, relative, content });

// Each stderr below is what compose 2.26 or 1.29 printed for the file beside it.
describe("describeComposeProblem", () => {
  it("v2: an unknown key, located in the file that has it", () => {
    const bad = file("service/docker-compose.service.yaml", "services:\n  web:\n    image: x\n    foo: 1\n");
    const problem = describeComposeProblem(
      "validating /s/shop/service/docker-compose.service.yaml: services.web Additional property foo is not allowed\n",
      [base, bad],
    );
    expect(problem).toEqual({ file: "service/docker-compose.service.yaml", line: 4, message: "services.web Additional property foo is not allowed" });
    expect(composeInvalid(problem).toAgentError()).toEqual({
      code: "COMPOSE_INVALID",
      message: "service/docker-compose.service.yaml line 4: services.web Additional property foo is not allowed",
      details: { file: "service/docker-compose.service.yaml", line: 4 },
    });
  });

  it("v2: a wrong type and an unknown top-level key", () => {
    const ports = file("c.yaml", "services:\n  web:\n    image: x\n  bar:\n    image: y\n    ports: \"notalist\"\n");
    expect(describeComposeProblem("validating /s/shop/c.yaml: services.bar.ports must be a list\n", [base, ports])).toEqual({
      file: "c.yaml",
      line: 6,
      message: "services.bar.ports must be a list",
    });
    const root = file("e.yaml", "servicez:\n  web:\n    image: x\n");
    expect(describeComposeProblem("validating /s/shop/e.yaml: (root) Additional property servicez is not allowed\n", [root])).toMatchObject({
      file: "e.yaml",
      line: 1,
    });
  });

  it("v2: a YAML error names no file, so the file that does not parse is named", () => {
    const broken = file("a.yaml", "services:\n  web:\n    image: [unclosed\n");
    expect(describeComposeProblem("yaml: line 2: did not find expected ',' or ']'\n", [base, broken])).toEqual({
      file: "a.yaml",
      line: 2,
      message: "did not find expected ',' or ']'",
    });
  });

  it("v1: a YAML error with its marks", () => {
    const broken = file("a.yaml", "services:\n  web:\n    image: [unclosed\n");
    const stderr = `ERROR: yaml.parser.ParserError: while parsing a flow sequence
  in "/s/shop/a.yaml", line 3, column 12
expected ',' or ']', but got '<stream end>'
  in "/s/shop/a.yaml", line 4, column 1
`;
    expect(describeComposeProblem(stderr, [base, broken])).toEqual({
      file: "a.yaml",
      line: 3,
      message: "while parsing a flow sequence: expected ',' or ']', but got '<stream end>'",
    });
  });

  it("v1: schema errors, located", () => {
    const bad = file("b.yaml", "services:\n  web:\n    image: x\n    foo: 1\n");
    expect(
      describeComposeProblem("ERROR: The Compose file '/s/shop/b.yaml' is invalid because:\nUnsupported config option for services.web: 'foo'\n", [base, bad]),
    ).toEqual({ file: "b.yaml", line: 4, message: "Unsupported config option for services.web: 'foo'" });
    const ports = file("c.yaml", "services:\n  bar:\n    image: y\n    ports: \"notalist\"\n");
    expect(
      describeComposeProblem(
        "The Compose file '/s/shop/c.yaml' is invalid because:\nservices.bar.ports contains an invalid type, it should be an array\n",
        [ports],
      ),
    ).toEqual({ file: "c.yaml", line: 4, message: "services.bar.ports contains an invalid type, it should be an array" });
  });

  it("v2: errors with a key path but no file or line are located by the path", () => {
    const db = file("db.yaml", "services:\n  db:\n    image: x\n    expose:\n      - true\n");
    expect(describeComposeProblem("services.db.expose.[0]: unsupported expose value %!s(bool=true)\n", [base, db])).toEqual({
      file: "db.yaml",
      line: 5,
      message: "services.db.expose.[0]: unsupported expose value true",
    });
    const ports = file("p.yaml", "services:\n  web:\n    image: busybox\n    ports:\n      - {a: 1}\n");
    expect(describeComposeProblem("service ports services.web.ports.[0] is missing a target port\n", [ports])).toMatchObject({ file: "p.yaml", line: 5 });
    // The override that changes the type is named, not the file it overrides.
    const withPorts = file("b.yaml", "services:\n  web:\n    image: busybox\n    ports:\n      - \"80\"\n");
    const override = file("o.yaml", "services:\n  web:\n    ports: \"8080\"\n");
    expect(describeComposeProblem("cannot override services.web.ports\n", [withPorts, override])).toEqual({ file: "o.yaml", line: 3, message: "cannot override services.web.ports" });
    expect(describeComposeProblem("error while interpolating services.web.image: required variable X is missing a value: X must be set\n", [base])).toEqual({
      file: "docker-compose.sample-service.yaml",
      line: 3,
      message: "error while interpolating services.web.image: required variable X is missing a value: X must be set",
    });
  });

  it("an unclosed quote is reported where it opens (v2 and v1 both say so)", () => {
    const quote = file("q.yaml", "services:\n  web:\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo hi]\n  db:\n    image: x\n");
    expect(describeComposeProblem("yaml: line 4: found unexpected end of stream\n", [base, quote])).toEqual({ file: "q.yaml", line: 4, message: "found unexpected end of stream" });
    const v1 = `yaml.scanner.ScannerError: while scanning a quoted scalar
  in "/s/shop/q.yaml", line 4, column 27
found unexpected end of stream
  in "/s/shop/q.yaml", line 7, column 1
`;
    expect(describeComposeProblem(v1, [base, quote])).toMatchObject({ file: "q.yaml", line: 4 });
  });

  it("several YAML documents: located across documents (v2 merges them), refused with a hint by v1", () => {
    const multi = file("m.yaml", "services:\n  web:\n    image: busybox\n---\nservices:\n  db:\n    image: x\n    foo: 1\n");
    expect(describeComposeProblem("validating /s/shop/m.yaml: services.db Additional property foo is not allowed\n", [multi])).toMatchObject({ file: "m.yaml", line: 8 });
    const v1 = `yaml.composer.ComposerError: expected a single document in the stream
  in "/s/shop/m.yaml", line 1, column 1
but found another document
  in "/s/shop/m.yaml", line 4, column 1
`;
    expect(describeComposeProblem(v1, [base, multi])).toEqual({
      file: "m.yaml",
      line: 4,
      message: "holds several YAML documents (---): compose v1 reads one per file; merge them into one, or use compose v2 on this host",
    });
  });

  it("keeps messages it cannot place, with project-relative paths", () => {
    expect(describeComposeProblem("env file /s/shop/docker-compose.sample-service.yaml not found\n", [base])).toEqual({
      file: "docker-compose.sample-service.yaml",
      message: "env file docker-compose.sample-service.yaml not found",
    });
  });
});

describe("locateSchemaProblem", () => {
  it("finds keys, list items and service names with dots", () => {
    const content = "services:\n  web.v2:\n    image: x\n    ports:\n      - 80\n      - bogus\n";
    expect(schemaProblemPath("services.web.v2.ports.1 Does not match format 'ports'")).toEqual(["services", "web", "v2", "ports", "1"]);
    expect(locateSchemaProblem(content, "services.web.v2.ports.1 Does not match format 'ports'")).toBe(6);
    expect(locateSchemaProblem(content, "services.web.v2 Additional property nope is not allowed")).toBe(2);
    expect(locateSchemaProblem(content, "something else entirely")).toBeNull();
  });
});
