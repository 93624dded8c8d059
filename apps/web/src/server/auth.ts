import { authenticate, createSession, resolveSession, signInWithOidc, WharfError } from "@wharf/api";
import { headers } from "next/headers";
import { getServerSession, type NextAuthOptions, type Session } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { cache } from "react";

import { env, type OidcEnv } from "~/env";

import { clientIp } from "./client-ip";
import { getWharf } from "./wharf";

interface OidcProfile {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  [claim: string]: unknown;
}

/** next-auth's generic OAuth provider in OIDC mode, from WHARF_OIDC_* settings only. */
function oidcProvider(oidc: OidcEnv): OAuthConfig<OidcProfile> {
  return {
    id: "oidc",
    name: oidc.name,
    type: "oauth",
    wellKnown: `${oidc.issuer}/.well-known/openid-configuration`,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    idToken: true,
    checks: ["pkce", "state"],
    authorization: { params: { scope: "openid email profile" } },
    profile: (profile) => ({ id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.email ?? null }),
  };
}

function groupsOf(profile: OidcProfile, claim: string): string[] {
  const value = profile[claim];
  return Array.isArray(value) ? value.filter((group): group is string => typeof group === "string") : [];
}

/** next-auth hands a thrown message to the client as the sign-in error: only Wharf's own messages are shown as they are. */
function signInError(error: unknown): Error {
  if (error instanceof WharfError) return new Error(error.message);
  console.error("[wharf] Sign-in failed:", error);
  return new Error("Signing in failed on the server. Try again, or check the server log.");
}

// next-auth's route runs inside the request, so its callbacks can read the request's headers.
async function requestHeader(name: string): Promise<string | null> {
  return (await headers()).get(name);
}

async function requestAddress(): Promise<string | null> {
  const list = await headers();
  return clientIp((name) => list.get(name));
}

export const authOptions: NextAuthOptions = {
  // Null only while `next build` evaluates this module; the launcher always sets it.
  secret: env.authSecret ?? undefined,
  // The cookie is a JWT carrying the id of a Session row, checked on every request (see getSession).
  session: { strategy: "jwt" },
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    Credentials({
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
        code: { label: "Two-factor code", type: "text" },
      },
      async authorize(credentials) {
        if (!credentials?.email || !credentials.password) return null;
        try {
          return await authenticate(getWharf(), {
            email: credentials.email,
            password: credentials.password,
            code: credentials.code || null,
            ip: await requestAddress(),
          });
        } catch (error) {
          throw signInError(error);
        }
      },
    }),
    ...(env.oidc ? [oidcProvider(env.oidc)] : []),
  ],
  callbacks: {
    async signIn({ account, profile }) {
      if (account?.provider !== "oidc" || !env.oidc) return true;
      const claims = profile as OidcProfile | undefined;
      if (!claims?.email) throw new Error("Your identity provider sent no email address: Wharf needs one to match your account.");
      try {
        const user = await signInWithOidc(getWharf(), env.oidc, {
          subject: account.providerAccountId,
          email: claims.email,
          emailVerified: claims.email_verified === true,
          name: claims.name ?? null,
          groups: groupsOf(claims, env.oidc.groupsClaim),
          address: await requestAddress(),
        });
        // The jwt callback below names the Wharf account, not the provider's subject.
        account.wharfUserId = user.id;
        return true;
      } catch (error) {
        throw signInError(error);
      }
    },
    async jwt({ token, user, account, trigger }) {
      if (trigger !== "signIn" || !user) return token;
      const userId = typeof account?.wharfUserId === "string" ? account.wharfUserId : user.id;
      const sessionId = await createSession(getWharf(), {
        userId,
        method: account?.provider === "oidc" ? "oidc" : "password",
        userAgent: await requestHeader("user-agent"),
        address: await requestAddress(),
      });
      return { ...token, sub: userId, sid: sessionId };
    },
    session({ session, token }) {
      return { ...session, user: { ...session.user, id: token.sub ?? "" }, sessionId: typeof token.sid === "string" ? token.sid : "" };
    },
  },
};


/**
 * The signed-in user, or null. The cookie alone is not enough: its session row
 * must still exist, so a revoked session or a changed password signs the
 * browser out at its next request. Cached per request.
 */
export const getSession = cache(async (): Promise<Session | null> => {
  const session = await getServerSession(authOptions);
  const valid = session ? await resolveSession(getWharf(), { userId: session.user.id, sessionId: session.sessionId }) : null;
  return valid ? session : null;
});
