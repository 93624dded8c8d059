export * from "./command";
export * from "./errors";
export * from "./host-key";
export * from "./keys";
export * from "./pool";
export * from "./tunnel";
