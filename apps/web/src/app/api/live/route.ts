/**
 * Liveness of the process alone, without the database (that is /api/health):
 * for orchestrators that restart a hung process, and the bench's baseline for
 * what the server costs per request before Wharf's own work.
 */
export function GET(): Response {
  return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
}
