import { type NextRequest, NextResponse } from "next/server";
import { getToken } from "next-auth/jwt";

import { env } from "~/env";

/**
 * Optimistic check: pages outside sign-in, setup and invitations need a session cookie.
 * The dashboard layout and every tRPC procedure check the session for real.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const token = await getToken({ req: request, secret: env.authSecret ?? undefined });
  if (token) return NextResponse.next();
  const signIn = new URL("/signin", request.url);
  const { pathname, search } = request.nextUrl;
  if (pathname !== "/") signIn.searchParams.set("callbackUrl", `${pathname}${search}`);
  return NextResponse.redirect(signIn);
}

export const config = {
  matcher: ["/((?!api/|signin|setup|invite/|_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
