/**
 * Runs `work` until it succeeds, waiting longer after each failure; gives up
 * (rethrowing the last error) after `attempts`. For writes that must not be
 * lost to a passing database hiccup, such as a job's final status.
 */
export async function withRetries<T>(work: () => Promise<T>, options: { attempts?: number; firstDelayMs?: number; onRetry?: (error: unknown, attempt: number) => void } = {}): Promise<T> {
  const attempts = options.attempts ?? 8;
  let delay = options.firstDelayMs ?? 250;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts) throw error;
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
