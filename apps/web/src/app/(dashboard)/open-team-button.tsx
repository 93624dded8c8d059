"use client";

import { Button } from "~/components/ui/button";
import { activateTeam } from "~/lib/team";

/** For a user whose chosen team is gone (removed, or they left): opens one of their other teams. */
export function OpenTeamButton({ team }: { team: { id: string; name: string } }) {
  return <Button onClick={() => activateTeam(team.id)}>Open {team.name}</Button>;
}
