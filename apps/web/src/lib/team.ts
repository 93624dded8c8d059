/** The active team travels as a cookie (read by server components) and as this header on tRPC calls. */
export const TEAM_COOKIE = "wharf-team";
export const TEAM_HEADER = "x-wharf-team";
/** The same on subscriptions, whose EventSource requests cannot carry headers. */
export const TEAM_PARAM = "team";
