"use client";

import "@xterm/xterm/css/xterm.css";

import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { SquareTerminalIcon, XIcon } from "lucide-react";
import { useEffect, useRef, useState } from "react";

import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { Label } from "~/components/ui/label";
import { errorMessage } from "~/lib/errors";
import { useTRPCClient } from "~/trpc/react";

/** The server takes at most this many characters per input call: a larger paste goes in order, in pieces. */
const INPUT_CHUNK = 16 * 1024;
const RESIZE_DEBOUNCE_MS = 100;

type SessionState =
  | { kind: "connecting" }
  | { kind: "live"; pid: number }
  | { kind: "exited"; code: number | null }
  | { kind: "failed"; error: string };

function decode(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/**
 * One `docker exec -it` session in xterm.js. Output comes down a
 * subscription (SSE), keystrokes and resizes go up as calls, in order. The
 * terminal's size follows its box; leaving the page or losing the connection
 * ends the subscription, and with it the shell and all it started.
 */
function Session({ hostId, containerId, shell, user, onClose }: { hostId: string; containerId: string; shell: string; user: string; onClose: () => void }) {
  const client = useTRPCClient();
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<SessionState>({ kind: "connecting" });

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const terminal = new Terminal({ cursorBlink: true, fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", fontSize: 13, scrollback: 5000 });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(element);
    fit.fit();
    terminal.focus();

    let sessionId: string | null = null;
    let ended = false;
    // Keystrokes before the session is named, and every send after, go out one at a time, in order.
    let sending: Promise<unknown> = Promise.resolve();
    const pending: string[] = [];
    const send = (data: string): void => {
      for (let start = 0; start < data.length; start += INPUT_CHUNK) pending.push(data.slice(start, start + INPUT_CHUNK));
      if (sessionId === null) return;
      const id = sessionId;
      const chunks = pending.splice(0);
      sending = sending.then(async () => {
        for (const chunk of chunks) await client.container.terminalInput.mutate({ hostId, sessionId: id, data: chunk });
      }).catch((error: unknown) => {
        if (!ended) terminal.write(`\r\n\x1b[31m${errorMessage(error)}\x1b[0m\r\n`);
      });
    };
    let resizeTimer: ReturnType<typeof setTimeout> | null = null;
    const sendSize = (): void => {
      if (resizeTimer) clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        if (sessionId === null || ended) return;
        client.container.terminalResize.mutate({ hostId, sessionId, cols: terminal.cols, rows: terminal.rows }).catch(() => undefined);
      }, RESIZE_DEBOUNCE_MS);
    };
    const input = terminal.onData(send);
    const resized = terminal.onResize(sendSize);
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(element);

    let subscription: { unsubscribe: () => void } | null = null;
    const end = (next: SessionState): void => {
      if (ended) return;
      ended = true;
      setState(next);
      subscription?.unsubscribe();
    };
    subscription = client.container.terminal.subscribe(
      { hostId, containerId, cols: terminal.cols, rows: terminal.rows, ...(shell ? { shell } : {}), ...(user ? { user } : {}) },
      {
        onData: (event) => {
          if (event.type === "session") {
            sessionId = event.sessionId;
            send("");
            sendSize();
          } else if (event.type === "started") setState({ kind: "live", pid: event.pid });
          else if (event.type === "output") terminal.write(decode(event.data));
          else {
            terminal.write(`\r\n\x1b[2m[the shell exited${event.code === null ? "" : ` with code ${event.code}`}]\x1b[0m\r\n`);
            end({ kind: "exited", code: event.code });
          }
        },
        // A dropped connection is not resumed: the agent ended that shell, a new one would be another session.
        onConnectionStateChange: (change) => {
          if (change.state === "connecting" && change.error) end({ kind: "failed", error: `The connection was lost, so the shell was ended: ${errorMessage(change.error)}` });
        },
        onError: (error) => end({ kind: "failed", error: errorMessage(error) }),
        onComplete: () => end({ kind: "exited", code: null }),
      },
    );

    return () => {
      ended = true;
      subscription?.unsubscribe();
      observer.disconnect();
      input.dispose();
      resized.dispose();
      if (resizeTimer) clearTimeout(resizeTimer);
      terminal.dispose();
    };
  }, [client, hostId, containerId, shell, user]);

  return (
    <div className="grid gap-2">
      <div className="flex flex-wrap items-center gap-2" role="status">
        {state.kind === "connecting" ? <Badge variant="secondary">Connecting…</Badge> : null}
        {state.kind === "live" ? <Badge variant="success">Connected · shell pid {state.pid}</Badge> : null}
        {state.kind === "exited" ? <Badge variant="secondary">Ended{state.code === null ? "" : ` (exit code ${state.code})`}</Badge> : null}
        {state.kind === "failed" ? (
          <>
            <Badge variant="destructive">Disconnected</Badge>
            <span className="text-xs text-destructive">{state.error}</span>
          </>
        ) : null}
        <Button size="sm" variant="outline" className="ml-auto" onClick={onClose}>
          <XIcon aria-hidden />
          {state.kind === "live" || state.kind === "connecting" ? "Close (ends the shell)" : "Close"}
        </Button>
      </div>
      <div ref={box} className="h-[28rem] min-w-0 overflow-hidden rounded-lg border bg-black p-2" data-testid="terminal" />
    </div>
  );
}

export function ContainerTerminal({ hostId, containerId, running }: { hostId: string; containerId: string; running: boolean }) {
  const [shell, setShell] = useState("");
  const [user, setUser] = useState("");
  const [open, setOpen] = useState<{ shell: string; user: string; key: number } | null>(null);

  if (open) return <Session key={open.key} hostId={hostId} containerId={containerId} shell={open.shell} user={open.user} onClose={() => setOpen(null)} />;
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        setOpen({ shell: shell.trim(), user: user.trim(), key: Date.now() });
      }}
    >
      <div className="grid gap-1.5">
        <Label htmlFor="terminal-shell">Shell</Label>
        <Input id="terminal-shell" value={shell} onChange={(event) => setShell(event.target.value)} placeholder="bash, else sh" className="h-8 w-48 font-mono" spellCheck={false} />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="terminal-user">User</Label>
        <Input id="terminal-user" value={user} onChange={(event) => setUser(event.target.value)} placeholder="image default" className="h-8 w-40 font-mono" spellCheck={false} />
      </div>
      <Button type="submit" size="sm" disabled={!running}>
        <SquareTerminalIcon aria-hidden />
        Open terminal
      </Button>
      {!running ? <p className="text-sm text-muted-foreground">The container is not running: start it to open a terminal.</p> : null}
    </form>
  );
}
