import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * One full garbage collection once the agent has been idle for `delayMs`
 * after some work. A log burst or a deploy grows V8's heap, and V8 gives it
 * back only much later, if at all; an agent spends most of its life idle on a
 * host that runs other things, so it returns that memory as soon as it can.
 */
export function idleCollector(delayMs: number): { touch(): void; stop(): void } {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  let timer: NodeJS.Timeout | null = null;
  return {
    touch: () => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        gc();
      }, delayMs);
      timer.unref();
    },
    stop: () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
