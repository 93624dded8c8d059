import type { DefaultSession } from "next-auth";

declare module "next-auth" {
  interface Session {
    user: { id: string } & DefaultSession["user"];
    /** The server-side session row behind the cookie. */
    sessionId: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** The server-side session row's id. */
    sid?: string;
  }
}
