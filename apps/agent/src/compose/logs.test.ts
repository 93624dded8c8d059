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
    const frames: [string, string][] = [];
    for (const chunk of [bytes.subarray(0, 5), bytes.subarray(5, 14), bytes.subarray(14)]) {
      demuxer.push(chunk, (stream, buffer, start, end) => frames.push([stream, buffer.toString("utf8", start, end)]));
    }
    expect(frames).toEqual([
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

describe("ContainerLogParser, entries of every shape in one stream", () => {
  it("reads whole lines, several lines in one entry and a line in pieces alike, per stream", () => {
    const parser = new ContainerLogParser(false);
    // "ü" is 2 bytes: the piece boundary falls between them.
    const umlaut = Buffer.from("grün\n");
    const lines = parser.push(
      Buffer.concat([
        frame(1, "2024-05-01T10:00:00.000000001Z one\n"),
        frame(1, "2024-05-01T10:00:00.000000002Z two\nthree\n"),
        rawFrame(1, Buffer.concat([Buffer.from("2024-05-01T10:00:00.000000003Z "), umlaut.subarray(0, 3)])),
        frame(2, "2024-05-01T10:00:00.000000004Z err\n"),
        rawFrame(1, Buffer.concat([Buffer.from("2024-05-01T10:00:00.000000005Z "), umlaut.subarray(3)])),
        frame(1, "2024-05-01T10:00:00.000000006Z after\n"),
        frame(1, "no time here\n"),
      ]),
    );
    expect(lines).toEqual([
      { stream: "stdout", at: "2024-05-01T10:00:00.000000001Z", line: "one" },
      { stream: "stdout", at: "2024-05-01T10:00:00.000000002Z", line: "two" },
      { stream: "stdout", at: "2024-05-01T10:00:00.000000002Z", line: "three" },
      { stream: "stderr", at: "2024-05-01T10:00:00.000000004Z", line: "err" },
      { stream: "stdout", at: "2024-05-01T10:00:00.000000003Z", line: "grün" },
      { stream: "stdout", at: "2024-05-01T10:00:00.000000006Z", line: "after" },
      { stream: "stdout", at: "2024-05-01T10:00:00.000000006Z", line: "no time here" },
    ]);
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
