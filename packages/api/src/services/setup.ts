import { createHash, randomBytes } from "node:crypto";

import { hash } from "@node-rs/argon2";
import type { Db } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { WharfError } from "../errors";
import { recordAudit } from "./audit";
import { createTeamRecord } from "./teams";

const SETUP_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export const passwordSchema = z
  .string()
  .min(10, "Use at least 10 characters.")
  .max(200, "Use at most 200 characters.");

export const completeSetupInput = z.object({
  token: z.string().min(10, "The setup link is incomplete: copy the whole link printed at start."),
  name: z.string().trim().min(1, "Enter your name.").max(100),
  email: z.email("Enter a valid email address.").trim().toLowerCase(),
  password: passwordSchema,
  teamName: z.string().trim().min(1, "Name your team.").max(60),
});
export type CompleteSetupInput = z.infer<typeof completeSetupInput>;

const sha256 = (value: string): string => createHash("sha256").update(value).digest("hex");

export async function needsSetup(deps: WharfDeps): Promise<boolean> {
  return (await deps.db.user.count()) === 0;
}

/**
 * While nobody has signed up, issues a fresh one-time setup link (older links
 * stop working). Returns null once an owner exists.
 */
export async function issueSetupLink(db: Db, publicUrl: string): Promise<string | null> {
  if ((await db.user.count()) > 0) return null;
  const token = randomBytes(32).toString("base64url");
  await db.$transaction([
    db.setupToken.deleteMany({ where: { usedAt: null } }),
    db.setupToken.create({ data: { tokenHash: sha256(token), expiresAt: new Date(Date.now() + SETUP_TOKEN_TTL_MS) } }),
  ]);
  return `${publicUrl.replace(/\/$/, "")}/setup?token=${token}`;
}

export async function completeSetup(deps: WharfDeps, input: CompleteSetupInput): Promise<{ userId: string; teamId: string }> {
  return deps.db.$transaction(async (tx) => {
    // Serialises concurrent setups: only one owner can ever be created this way.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(7317001)`;
    if ((await tx.user.count()) > 0) {
      throw new WharfError("CONFLICT", "Wharf is already set up. Sign in instead, or ask an owner for an invitation.");
    }
    const token = await tx.setupToken.findUnique({ where: { tokenHash: sha256(input.token) } });
    if (!token || token.usedAt) {
      throw new WharfError("FORBIDDEN", "This setup link is not valid. Restart Wharf to print a new one.", "SETUP_TOKEN_INVALID");
    }
    if (token.expiresAt < new Date()) {
      throw new WharfError("FORBIDDEN", "This setup link has expired. Restart Wharf to print a new one.", "SETUP_TOKEN_EXPIRED");
    }
    // Hashed only once the link is known good: a stranger's request costs no argon2 time.
    const passwordHash = await hash(input.password);
    const user = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash } });
    const team = await createTeamRecord(tx, user.id, input.teamName);
    await tx.setupToken.update({ where: { id: token.id }, data: { usedAt: new Date() } });
    await recordAudit(tx, {
      teamId: team.id,
      actor: { id: user.id, label: user.email },
      action: "setup.complete",
      targetType: "team",
      targetId: team.id,
      summary: `Created the owner ${user.email} and the team ${team.name}`,
    });
    return { userId: user.id, teamId: team.id };
  });
}
