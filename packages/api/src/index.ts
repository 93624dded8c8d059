export { closeWharfDeps, createWharfDeps, type Logger, type WharfConfig, type WharfDeps } from "./deps";
export { WharfError } from "./errors";
export { type Permission, PERMISSIONS, roleCan } from "./permissions";
export { type AppRouter, appRouter, createCaller } from "./root";
export { authenticate, type SignedInUser } from "./services/auth";
export { refreshHosts } from "./services/hosts";
export { startHostMonitor } from "./services/monitor";
export { issueSetupLink } from "./services/setup";
export type { Context, Session } from "./trpc";
