import { AgentFailure } from "../failure";

// One writer per project: two deploys (or a deploy and a config check) must
// not rewrite each other's files or run compose on the same project at once.
const holders = new Map<string, string>();

/** Takes project `name` for `what` (e.g. "compose up"); throws CONFLICT while another holds it. Returns the release. */
export function lockProject(name: string, what: string): () => void {
  const holder = holders.get(name);
  if (holder !== undefined) {
    throw new AgentFailure("CONFLICT", `stack ${name} is busy: ${holder} is still running on this host; try again when it has finished`);
  }
  holders.set(name, `${what} (started ${new Date().toISOString()})`);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders.delete(name);
  };
}

export async function withProjectLock<T>(name: string, what: string, work: () => Promise<T>): Promise<T> {
  const release = lockProject(name, what);
  try {
    return await work();
  } finally {
    release();
  }
}
