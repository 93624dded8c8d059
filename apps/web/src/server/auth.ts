import { authenticate, WharfError } from "@wharf/api";
import { getServerSession, type NextAuthOptions, type Session } from "next-auth";
import Credentials from "next-auth/providers/credentials";

import { env } from "~/env";

import { clientIp } from "./client-ip";
import { getWharf } from "./wharf";

export const authOptions: NextAuthOptions = {
  // Null only while `next build` evaluates this module; the launcher always sets it.
  secret: env.authSecret ?? undefined,
  session: { strategy: "jwt" },
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    Credentials({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        if (!credentials?.email || !credentials.password) return null;
        const headers = req.headers ?? {};
        const header = (name: string): string | undefined => {
          const value: unknown = headers[name];
          return typeof value === "string" ? value : undefined;
        };
        try {
          return await authenticate(getWharf(), { email: credentials.email, password: credentials.password, ip: clientIp(header) });
        } catch (error) {
          // next-auth hands a thrown message to the client as the sign-in error.
          if (error instanceof WharfError) throw new Error(error.message);
          console.error("[wharf] Sign-in failed:", error);
          throw new Error("Signing in failed on the server. Try again, or check the server log.");
        }
      },
    }),
  ],
  callbacks: {
    session({ session, token }) {
      return { ...session, user: { ...session.user, id: token.sub ?? "" } };
    },
  },
};

export function getSession(): Promise<Session | null> {
  return getServerSession(authOptions);
}
