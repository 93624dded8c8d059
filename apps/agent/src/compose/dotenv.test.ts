import { describe, expect, it } from "vitest";

import { renderDotenv } from "./dotenv";

const variables = [
  { key: "PLAIN", value: "a-b_c.d:1/2@x" },
  { key: "EMPTY", value: "" },
  { key: "SPACED", value: 'has $dollar and "dq" and # hash' },
  { key: "MULTI", value: "line1\nline2" },
  { key: "QUOTE", value: "it's \\ $HOME" },
];

describe("renderDotenv", () => {
  it("writes compose v2's dialect: single quotes, double quotes with escapes when the value holds a quote", () => {
    expect(renderDotenv(variables, "v2")).toBe(`PLAIN=a-b_c.d:1/2@x
EMPTY=
SPACED='has $dollar and "dq" and # hash'
MULTI='line1
line2'
QUOTE="it's \\\\ \\$HOME"
`);
  });

  it("writes compose v1's dialect: single quotes with \\\\ and \\' escaped", () => {
    expect(renderDotenv(variables, "v1")).toBe(`PLAIN=a-b_c.d:1/2@x
EMPTY=
SPACED='has $dollar and "dq" and # hash'
MULTI='line1
line2'
QUOTE='it\\'s \\\\ $HOME'
`);
  });

  it("refuses for compose v1 a value with ${, which it would expand", () => {
    expect(() => renderDotenv([{ key: "TEMPLATE", value: "x ${USER}" }], "v1")).toThrow(/variable TEMPLATE: compose v1 on this host expands "\$\{"/);
    expect(renderDotenv([{ key: "TEMPLATE", value: "x ${USER}" }], "v2")).toBe("TEMPLATE='x ${USER}'\n");
  });
});
