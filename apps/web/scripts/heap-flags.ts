// Imported first by dist/server.mjs (see build-server.ts), so the flags apply before the app loads.
// V8 lets each young-generation semi-space grow from 1 to 16 MiB and keeps it once grown: a
// server that mostly waits held up to 30 MiB more at idle for it. V8 reads the semi-space
// maximum (--max-semi-space-size) only when the process starts, so it cannot be set from
// here; the growth factor it reads each time the young generation would grow, and 1 keeps
// it at its first size. That costs a few more (short) scavenges under load.
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--semi-space-growth-factor=1");
