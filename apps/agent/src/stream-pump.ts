import type { Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

import type { AgentError, StreamFrame } from "@wharf/agent-protocol";

import type { LineSource } from "./handlers/context";

export interface PumpOptions<T> {
  source: LineSource<T>;
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

/**
 * Copies a line-oriented source into `data` frames, then `end` or `error`.
 * Backpressure: when `out` is full the source is paused until it drains, so a
 * slow client slows the source instead of growing the agent's memory. When the
 * client goes away the source is destroyed.
 */
export function pumpLines<T>({ source, out, validate, describeError, onDone }: PumpOptions<T>): Pump {
  const { stream } = source;
  const decoder = new StringDecoder("utf8");
  let pending = "";
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

  const emitLine = (line: string): boolean => {
    if (line.trim() === "") return true;
    const data = source.parseLine(line);
    if (data === null) return true;
    return write({ type: "data", data: validate(data) });
  };

  const onData = (chunk: Buffer | string): void => {
    const lines = (pending + (typeof chunk === "string" ? chunk : decoder.write(chunk))).split("\n");
    pending = lines.pop() ?? "";
    let flowing = true;
    try {
      for (const line of lines) flowing = emitLine(line) && flowing;
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
      emitLine(pending + decoder.end());
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
