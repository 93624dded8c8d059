import { useSyncExternalStore } from "react";

const noSubscription = (): (() => void) => () => undefined;

/**
 * False while the server renders and the browser hydrates, true after: for
 * what only the browser knows (its clock, time zone, localStorage), so the
 * first client render matches the server's HTML.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}
