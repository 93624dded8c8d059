/** Repeats `call` until it resolves; returns how many milliseconds that took (for recovery figures). */
export async function timeUntil(what: string, call: () => Promise<unknown>, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      await call();
      return Math.round(performance.now() - started);
    } catch (error) {
      if (performance.now() - started > timeoutMs) throw new Error(`${what} still fails after ${timeoutMs} ms: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
