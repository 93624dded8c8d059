import { spawnSync } from "node:child_process";

import { describe, expect, it } from "vitest";
import { stringify } from "yaml";

import { WharfError } from "../errors";
import { REDACTED, Redactor } from "./redact";

/** Values that need every escape compose, YAML and shells know. */
const NASTY = [`it's a 'quoted'' "pass" $HOME \\n\\ word`, `$$dollar\`tick\\back`, "tab\tand\nnew line\u0001ctl", "plain-s3cr3t-value"];
const redactor = new Redactor(NASTY);

function clean(text: string): void {
  const redacted = redactor.text(text);
  for (const secret of NASTY) {
    for (const piece of secret.split(/\n/)) expect(redacted).not.toContain(piece);
  }
}

describe("Redactor", () => {
  it("hides each value raw, $$-escaped, JSON-escaped and Go-quoted", () => {
    for (const secret of NASTY) {
      clean(`raw ${secret} end`);
      clean(`compose ${secret.replaceAll("$", "$$$$")} end`);
      clean(`json ${JSON.stringify(secret)} end`);
      clean(`json of escaped ${JSON.stringify(secret.replaceAll("$", "$$$$"))} end`);
    }
    clean(String.raw`invalid value "tab\tand\nnew line\x01ctl"`);
  });

  it("hides each value as YAML prints it, in any scalar style", () => {
    for (const secret of NASTY) {
      for (const type of ["PLAIN", "QUOTE_SINGLE", "QUOTE_DOUBLE", "BLOCK_LITERAL"] as const) {
        clean(stringify({ environment: { A: secret, B: secret.replaceAll("$", "$$$$") } }, { defaultStringType: type, lineWidth: 0 }));
      }
    }
    expect(redactor.text("A: 'it''s a ''quoted'''' \"pass\" $HOME \\n\\ word'")).toBe(`A: '${REDACTED}'`);
  });

  it("hides each value as a shell quotes it", () => {
    for (const secret of NASTY) {
      const single = `'${secret.replaceAll("'", "'\\''")}'`;
      const double = `"${secret.replace(/[\\"$`]/g, "\\$&")}"`;
      // Both quotings really give the value back through a shell.
      expect(spawnSync("sh", ["-c", `printf %s ${single}`]).stdout.toString()).toBe(secret);
      expect(spawnSync("sh", ["-c", `printf %s ${double}`]).stdout.toString()).toBe(secret);
      clean(`sh -c ${single} && echo ${double}`);
    }
  });

  it("redacts errors (message and problems) and JSON data, keys included", () => {
    const error = redactor.error(new WharfError("BAD_REQUEST", `bad ${NASTY[3] ?? ""}`, "COMPOSE_INVALID", [{ path: ["files"], message: `x ${NASTY[3] ?? ""}` }]));
    expect(error).toBeInstanceOf(WharfError);
    expect(JSON.stringify({ message: (error as WharfError).message, problems: (error as WharfError).problems })).not.toContain("s3cr3t");
    expect(redactor.json({ [`k ${NASTY[3] ?? ""}`]: [`v ${NASTY[3] ?? ""}`, 1, null] })).toEqual({ [`k ${REDACTED}`]: [`v ${REDACTED}`, 1, null] });
  });

  it("leaves very short values alone: they would blank out ordinary words", () => {
    expect(new Redactor(["a", "  b "]).text("a b c")).toBe("a b c");
  });

  it("merges redactors of several revisions", () => {
    expect(new Redactor(["first-secret"]).with(new Redactor(["second-secret"])).text("first-secret second-secret")).toBe(`${REDACTED} ${REDACTED}`);
  });
});
