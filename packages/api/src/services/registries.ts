import type { RegistryAuth } from "@wharf/agent-protocol";
import { type Registry, registryPublicSelect } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { notFound, WharfError } from "../errors";
import { registryLogin } from "../lib/registry-http";
import { type Actor, recordAudit } from "./audit";
import { ecrRepositoryExists,type EcrSettings } from "./ecr";
import { ecrAuthorization, forgetEcrAuthorization } from "./registry-tokens";

const DOCKER_HUB_URL = "https://registry-1.docker.io";

const registryName = z.string().trim().min(1, "Name the registry.").max(80, "Use at most 80 characters.");
/** Write-only secrets: absent on an update keeps the stored one. */
const secret = (what: string) => z.string().min(1, `Enter the ${what}.`).max(16_384);

const dockerHub = z.object({
  kind: z.literal("DOCKER_HUB"),
  name: registryName,
  username: z.string().trim().min(1, "Enter the Docker Hub user.").max(255),
  accessToken: secret("access token").optional(),
});
const ecr = z.object({
  kind: z.literal("ECR"),
  name: registryName,
  region: z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d$/, "Enter an AWS region such as eu-west-1."),
  awsRegistryId: z.string().regex(/^\d{12}$/, "Enter the 12-digit AWS account id of the registry."),
  accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, "Enter an access key id (AKIA...).").optional(),
  secretAccessKey: secret("secret access key").optional(),
  roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, "Enter a role ARN (arn:aws:iam::<account>:role/<name>).").optional(),
});
const v2 = z.object({
  kind: z.literal("V2"),
  name: registryName,
  url: z.url({ protocol: /^https?$/, error: "Enter the registry's URL (https://host[:port])." }).max(2_000),
  username: z.string().trim().min(1).max(255).optional(),
  password: secret("password").optional(),
  caCert: z.string().trim().max(20_000).refine((pem) => pem.includes("BEGIN CERTIFICATE"), "Paste a PEM certificate (-----BEGIN CERTIFICATE-----).").optional(),
});

const registrySettings = z.discriminatedUnion("kind", [dockerHub, ecr, v2]);
type RegistrySettings = z.infer<typeof registrySettings>;

export const createRegistryInput = registrySettings.superRefine((input, ctx) => {
  if (input.kind === "DOCKER_HUB" && !input.accessToken) ctx.addIssue({ code: "custom", path: ["accessToken"], message: "Enter a Docker Hub access token." });
  if (input.kind === "ECR" && !input.accessKeyId && !input.roleArn) ctx.addIssue({ code: "custom", path: ["accessKeyId"], message: "Enter an access key, or a role to assume." });
  if (input.kind === "ECR" && input.accessKeyId && !input.secretAccessKey) ctx.addIssue({ code: "custom", path: ["secretAccessKey"], message: "Enter the access key's secret." });
  if (input.kind === "V2" && input.password && !input.username) ctx.addIssue({ code: "custom", path: ["username"], message: "Enter the user the password belongs to." });
});
export type CreateRegistryInput = z.infer<typeof createRegistryInput>;

export const updateRegistryInput = z.object({ registryId: z.string().min(1), settings: registrySettings });
export type UpdateRegistryInput = z.infer<typeof updateRegistryInput>;

export const registryIdInput = z.object({ registryId: z.string().min(1) });

const KIND_LABEL: Record<Registry["kind"], string> = { DOCKER_HUB: "Docker Hub", ECR: "Amazon ECR", V2: "registry" };

function secretOf(input: RegistrySettings): string | undefined {
  if (input.kind === "DOCKER_HUB") return input.accessToken;
  if (input.kind === "ECR") return input.secretAccessKey;
  return input.password;
}

/** The row's columns for these settings; the secret only when one was entered. */
function columns(deps: WharfDeps, input: RegistrySettings) {
  const value = secretOf(input);
  const common = { name: input.name, kind: input.kind, url: null, username: null, region: null, awsRegistryId: null, accessKeyId: null, roleArn: null, caCert: null };
  const sealed = value ? { secretEnc: deps.secrets.seal(value) } : {};
  switch (input.kind) {
    case "DOCKER_HUB":
      return { ...common, ...sealed, address: "docker.io", username: input.username };
    case "ECR":
      return {
        ...common,
        ...sealed,
        address: `${input.awsRegistryId}.dkr.ecr.${input.region}.amazonaws.com`,
        region: input.region,
        awsRegistryId: input.awsRegistryId,
        accessKeyId: input.accessKeyId ?? null,
        roleArn: input.roleArn ?? null,
        ...(input.accessKeyId ? {} : { secretEnc: null }),
      };
    case "V2":
      return { ...common, ...sealed, address: new URL(input.url).host, url: new URL(input.url).origin, username: input.username ?? null, caCert: input.caCert ?? null };
  }
}

/** One set of credentials per registry address in a team: a deploy must know which login to use. */
async function assertAddressFree(tx: Pick<WharfDeps["db"], "registry">, teamId: string, address: string, exceptId?: string): Promise<void> {
  const other = await tx.registry.findFirst({ where: { teamId, address, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { name: true } });
  if (other) throw new WharfError("CONFLICT", `The registry ${other.name} already holds the team's credentials for ${address}: edit it instead.`);
}

function conflictOnName(error: unknown, name: string): never {
  if ((error as { code?: string }).code === "P2002") throw new WharfError("CONFLICT", `The team already has a registry named ${name}: choose another name.`);
  throw error;
}

export async function listRegistries(deps: WharfDeps, teamId: string) {
  return deps.db.registry.findMany({ where: { teamId }, orderBy: { name: "asc" }, select: registryPublicSelect });
}

export async function createRegistry(deps: WharfDeps, teamId: string, actor: Actor, input: CreateRegistryInput) {
  return deps.db
    .$transaction(async (tx) => {
      const data = columns(deps, input);
      await assertAddressFree(tx, teamId, data.address);
      const registry = await tx.registry.create({ data: { teamId, ...data }, select: registryPublicSelect });
      await recordAudit(tx, {
        teamId,
        actor,
        action: "registry.create",
        targetType: "registry",
        targetId: registry.id,
        summary: `Added ${KIND_LABEL[registry.kind]} ${registry.name} (${registry.address})`,
      });
      return registry;
    })
    .catch((error: unknown) => conflictOnName(error, input.name));
}

export async function updateRegistry(deps: WharfDeps, teamId: string, actor: Actor, input: UpdateRegistryInput) {
  const updated = await deps.db
    .$transaction(async (tx) => {
      const current = await tx.registry.findFirst({ where: { id: input.registryId, teamId }, select: { ...registryPublicSelect, secretEnc: true } });
      if (!current) throw notFound("That registry");
      if (current.kind !== input.settings.kind) throw new WharfError("BAD_REQUEST", "A registry's kind cannot change: add a new registry instead.");
      const data = columns(deps, input.settings);
      await assertAddressFree(tx, teamId, data.address, current.id);
      if (input.settings.kind === "ECR" && input.settings.accessKeyId && !("secretEnc" in data && data.secretEnc) && !current.secretEnc) {
        throw new WharfError("BAD_REQUEST", "Enter the access key's secret.");
      }
      const registry = await tx.registry.update({ where: { id: current.id }, data, select: registryPublicSelect });
      const changed: string[] = (["name", "address", "url", "username", "region", "awsRegistryId", "accessKeyId", "roleArn", "caCert"] as const).filter(
        (field) => current[field] !== registry[field],
      );
      if (secretOf(input.settings)) changed.push("secret");
      await recordAudit(tx, {
        teamId,
        actor,
        action: "registry.update",
        targetType: "registry",
        targetId: registry.id,
        summary: `Changed ${KIND_LABEL[registry.kind]} ${registry.name}${changed.length > 0 ? ` (${changed.join(", ")})` : ""}`,
      });
      return registry;
    })
    .catch((error: unknown) => conflictOnName(error, input.settings.name));
  await forgetEcrAuthorization(deps, updated.id);
  return updated;
}

export async function removeRegistry(deps: WharfDeps, teamId: string, actor: Actor, registryId: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const registry = await tx.registry.findFirst({ where: { id: registryId, teamId }, select: { id: true, name: true, kind: true } });
    if (!registry) throw notFound("That registry");
    await tx.registry.delete({ where: { id: registry.id } });
    await recordAudit(tx, {
      teamId,
      actor,
      action: "registry.remove",
      targetType: "registry",
      targetId: registry.id,
      summary: `Removed ${KIND_LABEL[registry.kind]} ${registry.name}`,
    });
  });
}

/** The team's registries, secrets still sealed: one read for both a job's push plan and its logins. */
export function teamRegistries(deps: WharfDeps, teamId: string) {
  return deps.db.registry.findMany({ where: { teamId }, orderBy: { createdAt: "asc" } });
}
export type TeamRegistryRow = Awaited<ReturnType<typeof teamRegistries>>[number];

function opened(deps: WharfDeps, row: TeamRegistryRow) {
  return { ...row, secret: row.secretEnc ? deps.secrets.open(row.secretEnc) : null };
}
type LoadedRegistry = ReturnType<typeof opened>;

/** The row with its secret opened: stays inside the service layer. */
export async function loadRegistry(deps: WharfDeps, teamId: string, registryId: string): Promise<LoadedRegistry> {
  const row = await deps.db.registry.findFirst({ where: { id: registryId, teamId } });
  if (!row) throw notFound("That registry");
  return opened(deps, row);
}

export function ecrSettings(registry: LoadedRegistry): EcrSettings {
  return {
    name: registry.name,
    region: registry.region ?? "",
    awsRegistryId: registry.awsRegistryId ?? "",
    accessKeyId: registry.accessKeyId,
    secretAccessKey: registry.secret,
    roleArn: registry.roleArn,
  };
}

function apiUrl(deps: WharfDeps, registry: LoadedRegistry): string {
  if (registry.kind === "DOCKER_HUB") return deps.config.dockerHubUrl ?? DOCKER_HUB_URL;
  return registry.url ?? `https://${registry.address}`;
}

/** Credentials for one agent call: a password or access token, or an ECR token (fetched or cached). */
export async function registryAuth(deps: WharfDeps, registry: LoadedRegistry): Promise<{ auth: RegistryAuth; apiUrl: string }> {
  if (registry.kind === "ECR") {
    const token = await ecrAuthorization(deps, registry.id, ecrSettings(registry));
    return { auth: { serverAddress: new URL(token.endpoint).host, username: token.username, password: token.password }, apiUrl: token.endpoint };
  }
  if (!registry.username || !registry.secret) {
    throw new WharfError("PRECONDITION_FAILED", `The registry ${registry.name} has no credentials: add a user and password or access token to push.`, "REGISTRY_UNAUTHORIZED");
  }
  const url = apiUrl(deps, registry);
  const serverAddress = registry.kind === "DOCKER_HUB" && !deps.config.dockerHubUrl ? "docker.io" : new URL(url).host;
  return { auth: { serverAddress, username: registry.username, password: registry.secret }, apiUrl: url };
}

export interface RegistryCheck {
  ok: true;
  /** What was checked, for the page. */
  detail: string;
}

/** Logs in for real: the /v2/ challenge and the login it asks for; for ECR the token call and a repository read through it. */
export async function testRegistry(deps: WharfDeps, teamId: string, registryId: string): Promise<RegistryCheck> {
  const registry = await loadRegistry(deps, teamId, registryId);
  if (registry.kind === "ECR") {
    const settings = ecrSettings(registry);
    const { auth, apiUrl: baseUrl } = await registryAuth(deps, registry);
    await ecrRepositoryExists(settings);
    await registryLogin({ name: registry.name, baseUrl, username: auth.username, password: auth.password });
    return { ok: true, detail: `Got a token for ${auth.serverAddress}, read its repositories and logged in.` };
  }
  const baseUrl = apiUrl(deps, registry);
  const authorization = await registryLogin({
    name: registry.name,
    baseUrl,
    username: registry.username ?? undefined,
    password: registry.secret ?? undefined,
    caCert: registry.caCert ?? undefined,
  });
  return { ok: true, detail: authorization === null ? `${baseUrl} answers without credentials.` : `Logged in to ${baseUrl} as ${registry.username}.` };
}

/**
 * Logins for a compose run: the team's registries its files name
 * (`<address>/...` in an image), plus its Docker Hub logins, which images
 * name without an address. A registry whose credentials fail is left out and
 * reported through `skip`: compose then says which pull was refused.
 */
export async function registryAuthsFor(deps: WharfDeps, registries: readonly TeamRegistryRow[], texts: string[], skip: (message: string) => void): Promise<RegistryAuth[]> {
  const named = registries.filter((row) => row.kind === "DOCKER_HUB" || texts.some((text) => text.includes(`${row.address}/`)));
  const auths: RegistryAuth[] = [];
  for (const row of named) {
    try {
      auths.push((await registryAuth(deps, opened(deps, row))).auth);
    } catch (error) {
      if (!(error instanceof WharfError)) throw error;
      skip(`Pulling without logging in to ${row.address}: ${error.message}`);
    }
  }
  return auths;
}
