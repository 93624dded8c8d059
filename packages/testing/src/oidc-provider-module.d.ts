// The parts of oidc-provider (which ships no types) the test identity provider uses.
declare module "oidc-provider" {
  import type { RequestListener } from "node:http";

  interface ProviderAccount {
    accountId: string;
    claims: () => Record<string, unknown>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown> & { findAccount?: (ctx: unknown, id: string) => ProviderAccount | undefined });
    callback(): RequestListener;
  }
}
