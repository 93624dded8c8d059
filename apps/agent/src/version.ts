// scripts/build.ts defines this as a placeholder, then stamps `<package version>+<bundle hash>` into the bundle.
declare const __WHARF_AGENT_VERSION__: string | undefined;

export const AGENT_VERSION = typeof __WHARF_AGENT_VERSION__ === "string" ? __WHARF_AGENT_VERSION__ : "0.0.0-dev";
