import { WharfError } from "@wharf/api";
import type { ChatMessage } from "@wharf/api/chat-bot";
import { verifyChatRequest } from "@wharf/api/services/chat";

import { getWharf } from "~/server/wharf";

type Verified = Awaited<ReturnType<typeof verifyChatRequest>>;

/**
 * A Slack-style request: verified (signature, age, replay) before anything
 * else is read, then handled. Refusals answer 401 with the reason; a handled
 * request answers 200 with the message (Slack shows it to the user).
 */
export async function handleChatRequest(request: Request, integrationId: string, handle: (form: URLSearchParams, integration: Verified) => Promise<ChatMessage>): Promise<Response> {
  const deps = getWharf();
  const body = await request.text();
  try {
    const integration = await verifyChatRequest(deps, integrationId, {
      timestamp: request.headers.get("x-slack-request-timestamp"),
      signature: request.headers.get("x-slack-signature"),
      body,
    });
    return Response.json(await handle(new URLSearchParams(body), integration));
  } catch (error) {
    if (!(error instanceof WharfError)) throw error;
    if (error.code === "UNAUTHORIZED") return new Response(`${error.message}\n`, { status: 401, headers: { "content-type": "text/plain; charset=utf-8" } });
    // Slack shows a 200 answer's text to the user; other statuses only as a generic failure.
    return Response.json({ response_type: "ephemeral", text: error.message });
  }
}
