import { startChatWorkers } from "./chat-bot";
import type { WharfDeps } from "./deps";
import { startWebhookWorkers } from "./services/webhooks";

/** Every worker on the queue, registered once per process next to the deployment runner; stopped by closeWharfDeps. */
export async function startQueueWorkers(deps: WharfDeps): Promise<void> {
  await startWebhookWorkers(deps);
  await startChatWorkers(deps);
}
