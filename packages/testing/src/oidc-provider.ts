import { createServer } from "node:http";

import Provider from "oidc-provider";

export interface TestOidcAccount {
  email: string;
  name: string;
  groups: string[];
}

export interface TestOidcProvider {
  issuer: string;
  close: () => Promise<void>;
}

/**
 * A real OpenID Connect provider (panva's oidc-provider) on 127.0.0.1:`port`,
 * for sign-in tests. Its built-in sign-in page accepts any password for the
 * logins in `accounts`; the ID token carries email, name and groups.
 */
export async function startOidcProvider(options: { port: number; client: { id: string; secret: string; redirectUri: string }; accounts: Record<string, TestOidcAccount> }): Promise<TestOidcProvider> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.client.id,
        client_secret: options.client.secret,
        redirect_uris: [options.client.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
    // Claims go into the ID token itself, which is what next-auth reads.
    conformIdTokenClaims: false,
    cookies: { keys: ["wharf-test-oidc-provider-cookie-key"] },
    findAccount: (_ctx: unknown, id: string) => {
      const account = options.accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ sub: id, email: account.email, email_verified: true, name: account.name, groups: account.groups }) };
    },
  });
  const server = createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", resolve);
  });
  return {
    issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
