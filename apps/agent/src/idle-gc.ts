import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Full garbage collections at quiet moments: once the agent has been idle for
 * `idleMs` after some work, and every `everyMs` while `busy()` (a log stream
 * left open for hours). A log burst or a deploy grows V8's heap, and V8 gives
 * it back only much later, if at all; an agent spends most of its life on a
 * host that runs other things, so it returns that memory as soon as it can.
 * A collection of the agent's heap takes a few milliseconds.
 */
export function idleCollector({ idleMs, everyMs, busy }: { idleMs: number; everyMs: number; busy: () => boolean }): { touch(): void; stop(): void } {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  let idle: NodeJS.Timeout | null = null;
  const periodic = setInterval(() => {
    if (busy()) gc();
  }, everyMs);
  periodic.unref();
  return {
    touch: () => {
      if (idle !== null) clearTimeout(idle);
      idle = setTimeout(() => {
        idle = null;
        gc();
      }, idleMs);
      idle.unref();
    },
    stop: () => {
      clearInterval(periodic);
      if (idle !== null) clearTimeout(idle);
      idle = null;
    },
  };
}
