import { WharfError } from "@wharf/api";
import { acceptInteraction, interactionPayload } from "@wharf/api/chat-bot";

import { handleChatRequest } from "~/server/chat-request";
import { getWharf } from "~/server/wharf";

/** Button presses (Approve, Reject, Roll back) on the bot's messages, signed like commands. */
export async function POST(request: Request, { params }: { params: Promise<{ integrationId: string }> }): Promise<Response> {
  const { integrationId } = await params;
  return handleChatRequest(request, integrationId, async (form, integration) => {
    let raw: unknown;
    try {
      raw = JSON.parse(form.get("payload") ?? "");
    } catch {
      throw new WharfError("BAD_REQUEST", "The interaction's payload is not JSON.");
    }
    const parsed = interactionPayload.safeParse(raw);
    if (!parsed.success) throw new WharfError("BAD_REQUEST", "Only button presses on Wharf's messages are handled.");
    return acceptInteraction(getWharf(), integration, parsed.data);
  });
}

export const dynamic = "force-dynamic";
