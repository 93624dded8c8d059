/**
 * Amazon ECR through its SDK: credentials (access key, or a role to assume),
 * the authorization token, repository reads and creation. Failures become
 * WharfErrors naming the registry and what to change.
 */
import type * as EcrSdk from "@aws-sdk/client-ecr";
import type { ECRClient } from "@aws-sdk/client-ecr";

import { WharfError } from "../errors";

// The SDK costs about 15 MiB once loaded, and most servers never talk to Amazon: it loads on the first ECR call.
const ecrSdk = (): Promise<typeof EcrSdk> => import("@aws-sdk/client-ecr");

export interface EcrSettings {
  name: string;
  region: string;
  awsRegistryId: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  roleArn: string | null;
}

export interface EcrAuthorization {
  /** The registry's origin (https://host[:port]); images are named after its host. */
  endpoint: string;
  username: string;
  password: string;
  expiresAt: Date;
}

const CREDENTIAL_ERRORS = new Set(["UnrecognizedClientException", "InvalidSignatureException", "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredTokenException"]);

/** Maps an SDK failure while doing `what` to an error that says what to change. */
export function ecrError(settings: EcrSettings, what: string, error: unknown): WharfError {
  if (error instanceof WharfError) return error;
  const name = (error as { name?: string }).name ?? "";
  const message = (error as Error).message;
  if (CREDENTIAL_ERRORS.has(name)) {
    return new WharfError("PRECONDITION_FAILED", `Amazon rejected the credentials of the registry ${settings.name} (${name}): check the access key and secret, then save them again.`, "REGISTRY_UNAUTHORIZED");
  }
  if (/AccessDenied|NotAuthorized/i.test(name)) {
    return new WharfError("PRECONDITION_FAILED", `The AWS identity of the registry ${settings.name} may not ${what} (${message}): allow it in the identity's IAM policy.`, "REGISTRY_DENIED");
  }
  if (name === "RepositoryNotFoundException") {
    return new WharfError("PRECONDITION_FAILED", `${message} (registry ${settings.name}): create the repository first.`, "REPOSITORY_MISSING");
  }
  return new WharfError("PRECONDITION_FAILED", `Amazon ECR (${settings.region}) could not ${what} for the registry ${settings.name}: ${message}`, "REGISTRY_UNREACHABLE");
}

async function awsCredentials(settings: EcrSettings) {
  const keys = settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined;
  if (!settings.roleArn) return keys;
  const { AssumeRoleCommand, STSClient } = await import("@aws-sdk/client-sts");
  const sts = new STSClient({ region: settings.region, ...(keys ? { credentials: keys } : {}) });
  try {
    const { Credentials: assumed } = await sts.send(new AssumeRoleCommand({ RoleArn: settings.roleArn, RoleSessionName: "wharf", DurationSeconds: 3600 }));
    if (!assumed?.AccessKeyId || !assumed.SecretAccessKey) throw new Error("AssumeRole returned no credentials");
    return { accessKeyId: assumed.AccessKeyId, secretAccessKey: assumed.SecretAccessKey, ...(assumed.SessionToken ? { sessionToken: assumed.SessionToken } : {}) };
  } catch (error) {
    throw ecrError(settings, `assume the role ${settings.roleArn}`, error);
  } finally {
    sts.destroy();
  }
}

async function withClient<T>(settings: EcrSettings, what: string, run: (client: ECRClient, sdk: typeof EcrSdk) => Promise<T>): Promise<T> {
  const credentials = await awsCredentials(settings);
  const sdk = await ecrSdk();
  const client = new sdk.ECRClient({ region: settings.region, ...(credentials ? { credentials } : {}) });
  try {
    return await run(client, sdk);
  } catch (error) {
    throw ecrError(settings, what, error);
  } finally {
    client.destroy();
  }
}

/** GetAuthorizationToken: a 12-hour user/password pair for the registry's endpoint. */
export async function fetchEcrAuthorization(settings: EcrSettings): Promise<EcrAuthorization> {
  return withClient(settings, "get an authorization token (ecr:GetAuthorizationToken)", async (client, { GetAuthorizationTokenCommand }) => {
    const answer = await client.send(new GetAuthorizationTokenCommand({}));
    const data = answer.authorizationData?.[0];
    if (!data?.authorizationToken || !data.proxyEndpoint || !data.expiresAt) throw new Error("the answer held no authorization data");
    const decoded = Buffer.from(data.authorizationToken, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 1) throw new Error("the authorization token is not user:password");
    return { endpoint: new URL(data.proxyEndpoint).origin, username: decoded.slice(0, colon), password: decoded.slice(colon + 1), expiresAt: data.expiresAt };
  });
}

/** Whether the repository exists (DescribeRepositories); with no name, that some repository can be read at all. */
export async function ecrRepositoryExists(settings: EcrSettings, repositoryName?: string): Promise<boolean> {
  return withClient(settings, "read repositories (ecr:DescribeRepositories)", async (client, { DescribeRepositoriesCommand }) => {
    try {
      await client.send(
        new DescribeRepositoriesCommand({ registryId: settings.awsRegistryId, ...(repositoryName ? { repositoryNames: [repositoryName] } : { maxResults: 1 }) }),
      );
      return true;
    } catch (error) {
      if (repositoryName && (error as { name?: string }).name === "RepositoryNotFoundException") return false;
      throw error;
    }
  });
}

export async function createEcrRepository(settings: EcrSettings, repositoryName: string): Promise<void> {
  await withClient(settings, `create the repository ${repositoryName} (ecr:CreateRepository)`, async (client, { CreateRepositoryCommand }) => {
    await client.send(new CreateRepositoryCommand({ registryId: settings.awsRegistryId, repositoryName }));
  });
}
