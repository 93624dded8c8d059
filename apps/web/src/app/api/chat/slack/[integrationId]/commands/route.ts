import { WharfError } from "@wharf/api";
import { acceptSlashCommand, slashCommandForm } from "@wharf/api/chat-bot";

import { handleChatRequest } from "~/server/chat-request";
import { getWharf } from "~/server/wharf";

/** A team's slash command (`/wharf deploy web`), signed with the team's signing secret. */
export async function POST(request: Request, { params }: { params: Promise<{ integrationId: string }> }): Promise<Response> {
  const { integrationId } = await params;
  return handleChatRequest(request, integrationId, async (form, integration) => {
    const parsed = slashCommandForm.safeParse(Object.fromEntries(form));
    if (!parsed.success) throw new WharfError("BAD_REQUEST", "This does not look like a slash command (user_id, text and response_url are needed).");
    return acceptSlashCommand(getWharf(), integration, parsed.data);
  });
}

export const dynamic = "force-dynamic";
