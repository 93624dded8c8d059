/**
 * The client address as seen by the first proxy (Next.js fills in
 * x-forwarded-for with the socket address when no proxy set it).
 */
export function clientIp(header: (name: string) => string | null | undefined): string | null {
  const forwarded = header("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || header("x-real-ip") || null;
}
