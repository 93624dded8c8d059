/** The active team travels as a cookie (read by server components) and as this header on tRPC calls. */
export const TEAM_COOKIE = "wharf-team";
export const TEAM_HEADER = "x-wharf-team";
/** The same on subscriptions, whose EventSource requests cannot carry headers. */
export const TEAM_PARAM = "team";

/** In the browser: makes this team the active one and loads a page afresh (dropping every cached query of the previous team). */
export function activateTeam(teamId: string, path = "/hosts"): void {
  document.cookie = `${TEAM_COOKIE}=${encodeURIComponent(teamId)}; path=/; max-age=31536000; samesite=lax`;
  window.location.assign(path);
}
