"use client";

/**
 * Returning focus to what opened a dialog, for every dialog.
 *
 * Radix returns focus to a DialogTrigger only, and learns any other opener in
 * its open-autofocus event, which never fires when a field inside has
 * autoFocus (the field takes focus first). So the last two focused elements
 * are tracked here, and the opener is the latest one outside the dialog as it
 * mounts.
 */
const recent: Element[] = [];
if (typeof document !== "undefined") {
  document.addEventListener(
    "focusin",
    (event) => {
      if (!(event.target instanceof Element) || recent[0] === event.target) return;
      recent.unshift(event.target);
      recent.length = Math.min(recent.length, 2);
    },
    true,
  );
}

interface Opener {
  element: HTMLElement;
  /** To find its replacement when a re-render put a new element in its place (a list's row, a polled toolbar). */
  tag: string;
  name: string;
}

/** Per dialog content element: a new one mounts each time a dialog opens. */
const openers = new WeakMap<Element, Opener | null>();

const nameOf = (element: HTMLElement): string => (element.getAttribute("aria-label") ?? element.textContent ?? "").trim();

/** The ref of a dialog's content: notes its opener once, as it mounts. */
export function noteOpener(content: HTMLElement | null): void {
  if (!content || openers.has(content)) return;
  const element = recent.find((candidate) => !content.contains(candidate));
  openers.set(content, element instanceof HTMLElement ? { element, tag: element.tagName.toLowerCase(), name: nameOf(element) } : null);
}

function replacementOf(opener: Opener): HTMLElement | null {
  if (opener.name === "") return null;
  for (const candidate of document.querySelectorAll<HTMLElement>(opener.tag)) {
    if (nameOf(candidate) === opener.name && candidate.getClientRects().length > 0) return candidate;
  }
  return null;
}

/**
 * The close-autofocus handler of a dialog's content: focus goes back to the
 * opener (or the element that replaced it), unless `own` already moved it.
 */
export function returnFocus(own: ((event: Event) => void) | undefined) {
  return (event: Event): void => {
    own?.(event);
    const opener = event.currentTarget instanceof Element ? openers.get(event.currentTarget) : undefined;
    if (event.defaultPrevented || !opener) return;
    const target = opener.element.isConnected ? opener.element : replacementOf(opener);
    if (!target) return;
    event.preventDefault();
    target.focus();
  };
}
