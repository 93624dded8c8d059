/** The events a webhook target can subscribe to, and its body formats (no server code: the web app's forms import these). */
export const WEBHOOK_EVENTS = [
  "deployment.started",
  "deployment.succeeded",
  "deployment.failed",
  "deployment.refused",
  "approval.requested",
  "approval.decided",
  "host.offline",
  "host.online",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];
export const WEBHOOK_FORMATS = ["standard", "slack", "discord"] as const;
