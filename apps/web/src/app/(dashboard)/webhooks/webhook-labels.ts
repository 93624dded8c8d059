import type { WEBHOOK_EVENTS, WEBHOOK_FORMATS } from "@wharf/api/lib/webhook-events";

export const EVENT_LABELS: Record<(typeof WEBHOOK_EVENTS)[number], string> = {
  "deployment.started": "Deploy started",
  "deployment.succeeded": "Deploy succeeded",
  "deployment.failed": "Deploy failed",
  "deployment.refused": "Preflight refused a deploy",
  "approval.requested": "Approval requested",
  "approval.decided": "Approval decided",
  "host.offline": "Host offline",
  "host.online": "Host back online",
};

export const FORMAT_LABELS: Record<(typeof WEBHOOK_FORMATS)[number], string> = {
  standard: "Standard Webhooks (JSON)",
  slack: "Slack incoming webhook",
  discord: "Discord incoming webhook",
};
