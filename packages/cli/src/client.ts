import type { CliConfig } from "./config";

/** A REST error as the server sends it (`{ code, message, details }`), or a transport failure. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

export class WharfClient {
  constructor(private readonly config: CliConfig) {}

  private url(path: string, query: Record<string, string | number | undefined> = {}): string {
    const url = new URL(`${this.config.url.replace(/\/$/, "")}/api/v1${path}`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  }

  private async send(path: string, init: RequestInit & { query?: Record<string, string | number | undefined> } = {}): Promise<Response> {
    const { query, ...rest } = init;
    let response: Response;
    try {
      response = await fetch(this.url(path, query), { ...rest, headers: { authorization: `Bearer ${this.config.token}`, ...rest.headers } });
    } catch (error) {
      throw new ApiError(`Cannot reach Wharf at ${this.config.url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`, 0, "UNREACHABLE");
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { code?: string; message?: string; details?: unknown } | null;
      throw new ApiError(body?.message ?? `Wharf answered HTTP ${response.status}.`, response.status, body?.code ?? String(response.status), body?.details ?? null);
    }
    return response;
  }

  async get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> {
    return (await (await this.send(path, query ? { query } : {})).json()) as T;
  }

  async post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await this.send(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });
    return (await response.json()) as T;
  }

  /** Server-sent events: yields each `data:` payload; an `event: error` ends the stream with its message. */
  async *events<T>(path: string, query: Record<string, string | number | undefined> = {}, signal?: AbortSignal): AsyncGenerator<T, void, undefined> {
    const response = await this.send(path, { query, headers: { accept: "text/event-stream" }, ...(signal ? { signal } : {}) });
    if (!response.body) return;
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of response.body) {
      pending += decoder.decode(chunk as Uint8Array, { stream: true });
      const blocks = pending.split("\n\n");
      pending = blocks.pop() ?? "";
      for (const block of blocks) {
        const lines = block.split("\n");
        const field = (name: string) => lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
        const data = field("data");
        if (data === null) continue;
        if (field("event") === "error") {
          const failure = JSON.parse(data) as { code: string; message: string };
          throw new ApiError(failure.message, 0, failure.code);
        }
        yield JSON.parse(data) as T;
      }
    }
  }
}
