import { describe, expect, it } from "vitest";

import { installWholeChunkTextEncoderStream, WholeChunkTextEncoderStream } from "./text-encoder-stream";

async function encode(stream: TextEncoderStream, chunks: string[]): Promise<number[]> {
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const read = (async () => {
    const bytes: number[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) bytes.push(...next.value);
    return bytes;
  })();
  for (const chunk of chunks) await writer.write(chunk);
  await writer.close();
  return read;
}

describe("WholeChunkTextEncoderStream", () => {
  // "😀" is the surrogate pair \ud83d\ude00.
  const cases: [string, string[]][] = [
    ["plain text and events", ["data: {\"json\":1}\n", "\n\n", "", "id: é\n"]],
    ["a pair split between chunks", ["a\ud83d", "\ude00b"]],
    ["a pair split with an empty chunk between", ["\ud83d", "", "\ude00"]],
    ["a lone high surrogate before text", ["x\ud83d", "y"]],
    ["a lone low surrogate", ["\ude00z"]],
    ["two high surrogates in a row", ["\ud83d", "\ud83d\ude00"]],
    ["a high surrogate ending the stream", ["end\ud83d"]],
  ];

  it.each(cases)("encodes %s as Node's TextEncoderStream does", async (_name, chunks) => {
    expect(await encode(new WholeChunkTextEncoderStream(), chunks)).toEqual(await encode(new TextEncoderStream(), chunks));
  });

  it("says it encodes UTF-8", () => {
    expect(new WholeChunkTextEncoderStream().encoding).toBe("utf-8");
  });

  it("is the one the server's code gets once installed", () => {
    const native = globalThis.TextEncoderStream;
    try {
      installWholeChunkTextEncoderStream();
      expect(new TextEncoderStream()).toBeInstanceOf(WholeChunkTextEncoderStream);
    } finally {
      globalThis.TextEncoderStream = native;
    }
  });
});
