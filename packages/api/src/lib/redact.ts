import { WharfError } from "../errors";

export const REDACTED = "[secret]";
/** Shorter values would blank out ordinary words; they are not worth hiding either. */
const MIN_REDACTED_LENGTH = 4;

/** Go's strconv.Quote (compose's `%q`): like JSON, but \a \v and \xNN for other control bytes. */
function goQuoted(value: string): string {
  return [...value]
    .map((char) => {
      const code = char.codePointAt(0) ?? 0;
      if (char === "\\" || char === '"') return `\\${char}`;
      const named: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v" };
      if (named[char]) return named[char];
      if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, "0")}`;
      return char;
    })
    .join("");
}

/** A YAML double-quoted scalar as go-yaml (compose) and eemeli/yaml emit it: \e \N \_ \L \P and \xNN on top of JSON's escapes. */
function yamlDoubleQuoted(value: string): string {
  const named: Record<string, string> = {
    "\0": "\\0",
    "\x07": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\u0085": "\\N",
    "\u00a0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
  };
  return [...value]
    .map((char) => {
      const code = char.codePointAt(0) ?? 0;
      return named[char] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : char);
    })
    .join("");
}

/**
 * Every form in which compose, YAML or a shell may print `secret`: as is and
 * with `$` doubled (compose's interpolation escape), each of those raw,
 * JSON-escaped, Go-quoted, YAML single-quoted ('' for '), YAML
 * double-quoted, shell single-quoted ('\'' for ') and shell double-quoted;
 * and each form line by line, as a block scalar or a wrapped message shows it.
 */
export function secretForms(secret: string): string[] {
  const bases = [secret, secret.replaceAll("$", "$$$$")];
  const forms = bases.flatMap((base) => [
    base,
    JSON.stringify(base).slice(1, -1),
    goQuoted(base),
    base.replaceAll("'", "''"),
    yamlDoubleQuoted(base),
    base.replaceAll("'", "'\\''"),
    base.replace(/[\\"$`]/g, "\\$&"),
  ]);
  return [...new Set([...forms, ...forms.flatMap((form) => (form.includes("\n") ? form.split("\n") : []))])];
}

/**
 * Hides the secret values of one revision (or several) from any text before
 * it is stored, returned or logged: job output, job errors, audit summaries
 * and data, API errors and the server's log all go through one of these.
 */
export class Redactor {
  private readonly forms: string[];

  constructor(secrets: Iterable<string>) {
    const forms = new Set([...secrets].flatMap(secretForms).filter((form) => form.trim().length >= MIN_REDACTED_LENGTH));
    // Longest first, so a secret containing another is replaced whole.
    this.forms = [...forms].sort((a, b) => b.length - a.length);
  }

  /** A redactor hiding both this one's values and `other`'s. */
  with(other: Redactor): Redactor {
    const merged = new Redactor([]);
    merged.forms.push(...new Set([...this.forms, ...other.forms]));
    merged.forms.sort((a, b) => b.length - a.length);
    return merged;
  }

  text(text: string): string {
    let result = text;
    for (const form of this.forms) if (result.includes(form)) result = result.split(form).join(REDACTED);
    return result;
  }

  /** Every string inside a JSON value (audit data, stored checks), keys included. */
  json<T>(value: T): T {
    if (typeof value === "string") return this.text(value) as T;
    if (Array.isArray(value)) return value.map((item: unknown) => this.json(item)) as T;
    if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.text(key), this.json(item)])) as T;
    }
    return value;
  }

  /** The same error with its message (and a WharfError's problems) redacted; what reaches an API client or a log. */
  error(error: unknown): unknown {
    if (error instanceof WharfError) {
      const redacted = new WharfError(error.code, this.text(error.message), error.reason, error.problems?.map((problem) => this.json(problem)));
      redacted.stack = this.text(error.stack ?? "");
      return redacted;
    }
    if (error instanceof Error) {
      const redacted = new Error(this.text(error.message));
      redacted.stack = this.text(error.stack ?? "");
      return redacted;
    }
    return this.text(String(error));
  }

  /** Runs `work`, redacting whatever it throws. */
  async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.error(error);
    }
  }

  /** `error` as one line for a log or a stored message. */
  describe(error: unknown): string {
    return this.text(error instanceof Error ? error.message : String(error));
  }
}

export const NO_SECRETS = new Redactor([]);
