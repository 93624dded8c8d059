import NextAuth from "next-auth";

import { authOptions } from "~/server/auth";

type RouteHandler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

// next-auth v4 declares its handler as `any`; this is the App Router shape it implements.
const handler = NextAuth(authOptions) as RouteHandler;

export { handler as GET, handler as POST };
