import type { Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

import type { AgentError, StreamFrame } from "@wharf/agent-protocol";

import type { StreamSource } from "./handlers/context";

export interface PumpOptions<T> {
  source: StreamSource<T>;
  /** The HTTP response (or any writable) receiving NDJSON frames. */
  out: Writable;
  /** Checks one payload against the stream's contract before it is sent. */
  validate: (data: T) => unknown;
  describeError: (error: unknown) => AgentError;
  /** Called once, when the pump stops for any reason. */
  onDone?: (reason: StopReason) => void;
}

type StopReason = "end" | "error" | "closed" | "stopped";

export interface Pump {
  /** Ends the stream with an `end` frame, e.g. when the agent shuts down. */
  stop(): void;
}

interface PayloadReader<T> {
  /** The payloads in one chunk of the source. */
  read(chunk: unknown): T[];
  /** What is left once the source ended. */
  end(): T[];
}

/**
 * Copies a source into `data` frames, then `end` or `error`: a line source
 * gives one frame per line, a payload source one per chunk.
 * Backpressure: when `out` is full the source is paused until it drains, so a
 * slow client slows the source instead of growing the agent's memory. When the
 * client goes away the source is destroyed.
 */
export function pumpStream<T>({ source, out, validate, describeError, onDone }: PumpOptions<T>): Pump {
  const { stream } = source;
  const reader: PayloadReader<T> =
    source.kind === "lines" ? lineReader((line) => source.parseLine(line)) : { read: (chunk) => [chunk as T], end: () => [] };
  let done = false;

  const write = (frame: StreamFrame): boolean => out.write(`${JSON.stringify(frame)}\n`);

  const finish = (reason: StopReason, frame?: StreamFrame): void => {
    if (done) return;
    done = true;
    stream.off("data", onData);
    out.off("drain", onDrain);
    out.off("close", onClose);
    stream.destroy();
    if (reason !== "closed") {
      if (frame) write(frame);
      out.end();
    }
    onDone?.(reason);
  };

  /** Writes the payloads; false when `out` asked to wait. */
  const emit = (payloads: T[]): boolean => {
    let flowing = true;
    for (const data of payloads) flowing = write({ type: "data", data: validate(data) }) && flowing;
    return flowing;
  };

  const onData = (chunk: unknown): void => {
    let flowing: boolean;
    try {
      flowing = emit(reader.read(chunk));
    } catch (error) {
      finish("error", { type: "error", error: describeError(error) });
      return;
    }
    if (!flowing) stream.pause();
  };
  const onDrain = (): void => {
    if (!done) stream.resume();
  };
  const onClose = (): void => finish("closed");

  stream.on("data", onData);
  stream.once("end", () => {
    try {
      emit(reader.end());
    } catch (error) {
      finish("error", { type: "error", error: describeError(error) });
      return;
    }
    finish("end", { type: "end" });
  });
  // Stays attached: an aborted source may still emit errors after the pump stopped.
  stream.on("error", (error) => finish("error", { type: "error", error: describeError(error) }));
  out.on("drain", onDrain);
  out.once("close", onClose);
  return { stop: () => finish("stopped", { type: "end" }) };
}

function lineReader<T>(parseLine: (line: string) => T | null): PayloadReader<T> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  const parse = (lines: string[]): T[] =>
    lines.flatMap((line) => {
      if (line.trim() === "") return [];
      const data = parseLine(line);
      return data === null ? [] : [data];
    });
  return {
    read: (chunk) => {
      const lines = (pending + (typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer))).split("\n");
      pending = lines.pop() ?? "";
      return parse(lines);
    },
    end: () => parse([pending + decoder.end()]),
  };
}
