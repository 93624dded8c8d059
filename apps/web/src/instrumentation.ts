/**
 * Next.js calls `register()` once when a server instance boots, and waits for
 * it before serving requests: the place to start Wharf's background work.
 */
export async function register(): Promise<void> {
  // NEXT_RUNTIME is a constant Next.js inlines per bundle, not configuration: read literally so that
  // a build for another runtime drops the Node.js-only import below.
  // eslint-disable-next-line no-restricted-properties
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installWholeChunkTextEncoderStream } = await import("~/server/text-encoder-stream");
  installWholeChunkTextEncoderStream();
  const { startWharf } = await import("~/server/wharf");
  try {
    startWharf();
  } catch (error) {
    // Missing settings: the server still starts, and /api/health reports why it cannot work.
    console.error(`[wharf] ${error instanceof Error ? error.message : String(error)}`);
  }
}
