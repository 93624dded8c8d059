import { z } from "zod";

import { containerRef } from "./container-actions";

/** Chosen by the control plane; names the session in execInput and execResize. */
export const execSessionId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, "a session id is 16-64 characters of letters, digits, _ and -");

export const terminalSize = {
  cols: z.number().int().min(1).max(1000),
  rows: z.number().int().min(1).max(1000),
};

/**
 * `containerExec` (stream): an interactive shell in a running container, on a
 * TTY of the given size (`docker exec -it`). The shell is `shell` or, when
 * absent, bash if the container has it, else sh. The stream ends when the
 * shell exits; when the client closes it first, the agent kills the shell and
 * everything it started (Docker's API cannot stop an exec).
 */
export const containerExecParams = z.object({
  id: containerRef,
  session: execSessionId,
  /** A program inside the container, e.g. /bin/ash or zsh; never an option. */
  shell: z
    .string()
    .regex(/^[A-Za-z0-9_./][A-Za-z0-9_./+-]{0,127}$/, "a shell is a program path such as /bin/bash or zsh (letters, digits, _ . / + -)")
    .optional(),
  /** user, uid, user:group or uid:gid; the container's default user when absent. */
  user: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,63})?$/, "a user is a name or uid, optionally :group")
    .optional(),
  ...terminalSize,
});
export type ContainerExecParams = z.input<typeof containerExecParams>;

/** At most this much terminal input per call (a large paste is sent in several). */
export const MAX_EXEC_INPUT_BYTES = 48 * 1024;

export const containerExecFrame = z.discriminatedUnion("type", [
  /** The shell runs; `pid` is its process id inside the container. */
  z.object({ type: z.literal("started"), pid: z.number().int().positive() }),
  /** Terminal output, base64 (a chunk may end inside a UTF-8 character or an escape sequence). */
  z.object({ type: z.literal("output"), data: z.string() }),
  /** The shell ended by itself; null when Docker did not report a code. */
  z.object({ type: z.literal("exit"), code: z.number().int().nullable() }),
]);
export type ContainerExecFrame = z.infer<typeof containerExecFrame>;

/** `execInput`: keystrokes or pasted text for an open session (base64). NOT_FOUND once the session ended. */
export const execInputParams = z.object({
  session: execSessionId,
  data: z
    .string()
    .max(Math.ceil(MAX_EXEC_INPUT_BYTES / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "data is base64"),
});
export const execInputResult = z.object({});

/** `execResize`: the terminal's new size; the shell gets SIGWINCH. */
export const execResizeParams = z.object({ session: execSessionId, ...terminalSize });
export const execResizeResult = z.object({});
