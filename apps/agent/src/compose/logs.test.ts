import { describe, expect, it } from "vitest";

import { ContainerLogParser, DockerLogDemuxer, dockerSince, timestampNanos } from "./logs";

/** One frame of Docker's multiplexed stream. */
function rawFrame(stream: 1 | 2, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function frame(stream: 1 | 2, text: string): Buffer {
  return rawFrame(stream, Buffer.from(text));
}

describe("DockerLogDemuxer", () => {
  it("splits frames, also when a header or payload spans chunks", () => {
    const bytes = Buffer.concat([frame(1, "out\n"), frame(2, "err\n")]);
    const demuxer = new DockerLogDemuxer();
    const frames = [...demuxer.push(bytes.subarray(0, 5)), ...demuxer.push(bytes.subarray(5, 14)), ...demuxer.push(bytes.subarray(14))];
    expect(frames.map((f) => [f.stream, f.payload.toString()])).toEqual([
      ["stdout", "out\n"],
      ["stderr", "err\n"],
    ]);
  });
});

describe("ContainerLogParser", () => {
  it("takes Docker's timestamp off each line and keeps stdout and stderr apart", () => {
    const parser = new ContainerLogParser(false);
    const lines = parser.push(
      Buffer.concat([
        frame(1, "2024-05-01T10:00:00.123456789Z hello world\n"),
        frame(2, "2024-05-01T10:00:00.2Z oops\n"),
        frame(1, "2024-05-01T10:00:01.000000001Z \n"),
      ]),
    );
    expect(lines).toEqual([
      { stream: "stdout", at: "2024-05-01T10:00:00.123456789Z", line: "hello world" },
      { stream: "stderr", at: "2024-05-01T10:00:00.2Z", line: "oops" },
      { stream: "stdout", at: "2024-05-01T10:00:01.000000001Z", line: "" },
    ]);
  });

  it("reads a TTY container's raw stream as stdout and flushes a last line without newline", () => {
    const parser = new ContainerLogParser(true);
    expect(parser.push(Buffer.from("2024-05-01T10:00:00Z a\r\n2024-05-01T10:00:01Z b"))).toEqual([{ stream: "stdout", at: "2024-05-01T10:00:00Z", line: "a" }]);
    expect(parser.end()).toEqual([{ stream: "stdout", at: "2024-05-01T10:00:01Z", line: "b" }]);
  });

  it("joins the entries Docker stored a long line as, and cuts it into capped pieces with its first time", () => {
    const parser = new ContainerLogParser(false);
    // json-file keeps a 40,000-byte line as 16 KiB entries, each with its own time, cut mid-character.
    const long = "é".repeat(20_000);
    const bytes = Buffer.from(long);
    const lines = parser.push(
      Buffer.concat([
        rawFrame(1, Buffer.concat([Buffer.from("2024-05-01T10:00:00.000000002Z "), bytes.subarray(0, 16385)])),
        rawFrame(1, Buffer.concat([Buffer.from("2024-05-01T10:00:00.000000003Z "), bytes.subarray(16385), Buffer.from("\n")])),
        frame(1, "2024-05-01T10:00:00.000000004Z short\n"),
      ]),
    );
    expect(lines.map((line) => [line.at, line.line.length])).toEqual([
      ["2024-05-01T10:00:00.000000002Z", 16384],
      ["2024-05-01T10:00:00.000000002Z", 3616],
      ["2024-05-01T10:00:00.000000004Z", 5],
    ]);
    expect(lines[0]?.line + (lines[1]?.line ?? "")).toBe(long);
  });
});

describe("timestamps", () => {
  it("orders Docker's RFC 3339 times to the nanosecond", () => {
    expect(timestampNanos("2024-05-01T10:00:00.123456789Z")).toBe(1714557600123456789n);
    expect(timestampNanos("2024-05-01T10:00:00.1Z")).toBe(1714557600100000000n);
    expect(timestampNanos("2024-05-01T12:00:00+02:00")).toBe(1714557600000000000n);
    expect(timestampNanos("later")).toBeNull();
  });

  it("turns since into Docker's seconds", () => {
    expect(dockerSince("2024-05-01T10:00:00.5Z")).toBe("1714557600.500000000");
    const now = Date.parse("2024-05-01T10:00:00Z");
    expect(dockerSince("90s", now)).toBe(String(1714557600 - 90));
    expect(dockerSince("1h30m", now)).toBe(String(1714557600 - 5400));
  });
});
