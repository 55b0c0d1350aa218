/**
 * Structured JSON-line logging to stdout and secret redaction. In Lambda, stdout lines land in
 * CloudWatch as they are, so one line is one queryable record (Logs Insights parses JSON).
 */

/** Log level of a line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Fields of one log line (must be JSON-serializable). */
export type LogFields = Readonly<Record<string, unknown>>;

/** Minimal structured logger the checker writes to. */
export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

/**
 * Remembers every secret value the process has seen (API key, passwords, tokens) and masks them
 * in any text. Defence in depth: messages are built without secrets, this catches the unforeseen.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Register a secret value. Values shorter than 4 characters are ignored (they would mask noise). */
  add(secret: string | undefined): void {
    if (secret === undefined || secret.length < 4) return;
    this.secrets.add(secret);
    // Basic auth puts `base64(user:password)` on the wire: mask encodings of the value too.
    this.secrets.add(Buffer.from(secret, "utf8").toString("base64"));
    this.secrets.add(encodeURIComponent(secret));
    this.secrets.add(JSON.stringify(secret).slice(1, -1));
  }

  /** Register the header form of basic-auth credentials. */
  addBasicAuth(username: string, password: string): void {
    this.add(password);
    this.add(Buffer.from(`${username}:${password}`, "utf8").toString("base64"));
  }

  /** Replace every registered secret in `text` by `[REDACTED]`. Longest first, so overlaps mask fully. */
  redact(text: string): string {
    let out = text;
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join("[REDACTED]");
    }
    return out;
  }
}

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** Where lines go. @default process.stdout.write */
  readonly write?: ((line: string) => void) | undefined;
  /** Masks secrets in every line. @default none */
  readonly redactor?: Redactor;
  /** Fields added to every line (e.g. the AWS request id). @default {} */
  readonly base?: LogFields;
  /** Time source for the `time` field. @default Date.now */
  readonly now?: () => number;
}

/** A logger writing one JSON object per line: `{"level","time","msg",...fields}`. */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const now = options.now ?? Date.now;
  return {
    log(level, msg, fields = {}) {
      let line: string;
      try {
        line = JSON.stringify({ level, time: new Date(now()).toISOString(), msg, ...options.base, ...fields });
      } catch {
        line = JSON.stringify({ level, time: new Date(now()).toISOString(), msg, log_error: "fields not serializable" });
      }
      write(`${options.redactor ? options.redactor.redact(line) : line}\n`);
    },
  };
}

/** A logger that drops everything (for callers that print their own output, like a CLI table). */
export const silentLogger: Logger = { log: () => undefined };

/** A logger that keeps lines in memory (tests, dry runs). */
export class MemoryLogger implements Logger {
  readonly lines: { readonly level: LogLevel; readonly msg: string; readonly fields: LogFields }[] = [];

  log(level: LogLevel, msg: string, fields: LogFields = {}): void {
    this.lines.push({ level, msg, fields });
  }
}
