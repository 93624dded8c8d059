// Imported first by dist/server.mjs (see build-server.ts), so the flags apply before the app loads.
// V8 lets each young-generation semi-space grow to 16 MiB and keeps it once grown: a
// server that mostly waits held about 30 MiB more at idle for it. 1 MiB costs a few more
// (short) scavenges under load.
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--max-semi-space-size=1");
