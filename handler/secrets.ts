/**
 * Secrets Manager access: a per-container cache with a TTL (a rotated secret is picked up within
 * the TTL), one shared request per ARN while a lookup is in flight, and parsers that report a
 * wrong shape by ARN and expected shape, never by value.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { ApiKeySource, ControllerConfig } from "./config";
import { systemClock, type Clock, type Deadline } from "./deadline";
import type { Redactor } from "./log";
import type { Vns3Credentials } from "./vns3-client";

/** How long a secret value is reused before being read again. */
export const DEFAULT_SECRET_TTL_MS = 5 * 60 * 1000;

/** A secret that could not be read or has the wrong shape. The message names the ARN only. */
export class SecretError extends Error {
  constructor(
    readonly secretArn: string,
    message: string,
  ) {
    super(message);
    this.name = "SecretError";
  }
}

/** The part of SecretsManagerClient we use (lets tests pass a stub; aws-sdk-client-mock works too). */
export type SecretsClient = Pick<SecretsManagerClient, "send">;

/** Options of {@link SecretCache}. */
export interface SecretCacheOptions {
  /** Secrets Manager client. */
  readonly client: SecretsClient;
  /** Reuse period of a value. @default 5 minutes */
  readonly ttlMs?: number;
  /** Time source. @default systemClock */
  readonly clock?: Clock;
  /** Called with every value read, e.g. to register it with a log redactor. */
  readonly onValue?: (value: string) => void;
}

interface Entry {
  readonly value: Promise<string>;
  /** When the value arrived (set on success); undefined while in flight. */
  fetchedAt?: number;
}

/** Cache of SecretString values by ARN. */
export class SecretCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: SecretCacheOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * The SecretString of `secretArn`: cached if younger than the TTL; otherwise read (concurrent
   * callers share one GetSecretValue). Failures are not cached, so the next call tries again.
   * @param signal stops waiting (the shared request itself continues for other callers).
   */
  get(secretArn: string, signal?: AbortSignal): Promise<string> {
    const now = this.clock.now();
    const cached = this.entries.get(secretArn);
    const fresh = cached !== undefined && (cached.fetchedAt === undefined || now - cached.fetchedAt < this.ttlMs);
    const entry = fresh ? cached : this.fetch(secretArn);
    return signal === undefined ? entry.value : raceAbort(entry.value, signal, secretArn);
  }

  /** Forget a value, e.g. after the controller rejected the credentials it held (rotation). */
  invalidate(secretArn: string): void {
    this.entries.delete(secretArn);
  }

  private fetch(secretArn: string): Entry {
    const value = this.options.client.send(new GetSecretValueCommand({ SecretId: secretArn })).then(
      (output) => {
        if (typeof output.SecretString !== "string") {
          throw new SecretError(secretArn, `secret ${secretArn} has no SecretString (binary secrets are not supported)`);
        }
        this.options.onValue?.(output.SecretString);
        return output.SecretString;
      },
      (error: unknown) => {
        // SDK errors carry a name and a message about the request, never the secret value.
        const e = error as { name?: unknown; message?: unknown };
        throw new SecretError(secretArn, `could not read secret ${secretArn}: ${String(e?.name ?? "Error")}: ${String(e?.message ?? error)}`);
      },
    );
    const entry: Entry = { value };
    this.entries.set(secretArn, entry);
    value.then(
      () => {
        entry.fetchedAt = this.clock.now();
      },
      () => {
        if (this.entries.get(secretArn) === entry) this.entries.delete(secretArn);
      },
    );
    return entry;
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, secretArn: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new SecretError(secretArn, `reading secret ${secretArn} ran out of time`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new SecretError(secretArn, `reading secret ${secretArn} ran out of time`));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function parseJsonObject(secretArn: string, value: string, expected: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // JSON.parse quotes the input in its message: never let it through.
    throw new SecretError(secretArn, `secret ${secretArn} is not JSON; expected ${expected}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SecretError(secretArn, `secret ${secretArn} is not a JSON object; expected ${expected}`);
  }
  return parsed as Record<string, unknown>;
}

const CONTROLLER_SHAPE = '{"username":"…","password":"…"} or {"apiToken":"…"}';

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

/** Parse a controller secret: `{"username","password"}` or `{"apiToken"}`. @throws SecretError */
export function parseControllerSecret(secretArn: string, value: string): Vns3Credentials {
  const obj = parseJsonObject(secretArn, value, CONTROLLER_SHAPE);
  const hasBasic = nonEmptyString(obj.username) && nonEmptyString(obj.password);
  const hasToken = nonEmptyString(obj.apiToken);
  if (hasToken && !hasBasic) return { kind: "token", apiToken: obj.apiToken as string };
  if (hasBasic && !hasToken) return { kind: "basic", username: obj.username as string, password: obj.password as string };
  const keys = Object.keys(obj).sort().join(", ") || "none";
  throw new SecretError(secretArn, `secret ${secretArn} has the wrong shape (keys: ${keys}); expected ${CONTROLLER_SHAPE}`);
}

const API_KEY_SHAPE = 'the bare API key, or {"apiKey":"…"} or {"api_key":"…"}';

/**
 * Parse the Datadog API key secret: the bare key, or JSON `{"apiKey"}` / `{"api_key"}` (the
 * Datadog Lambda extension's convention is the bare key; many teams store JSON). @throws SecretError
 */
export function parseApiKeySecret(secretArn: string, value: string): string {
  const trimmed = value.trim();
  if (!trimmed.startsWith("{")) {
    if (/^[A-Za-z0-9]+$/.test(trimmed)) return trimmed;
    throw new SecretError(secretArn, `secret ${secretArn} has the wrong shape; expected ${API_KEY_SHAPE}`);
  }
  const obj = parseJsonObject(secretArn, trimmed, API_KEY_SHAPE);
  const key = obj.apiKey ?? obj.api_key;
  if (nonEmptyString(key)) return key.trim();
  const keys = Object.keys(obj).sort().join(", ") || "none";
  throw new SecretError(secretArn, `secret ${secretArn} has the wrong shape (keys: ${keys}); expected ${API_KEY_SHAPE}`);
}

/** Gives the credentials of a controller, from its inline fields or its secret. */
export interface CredentialsResolver {
  resolve(controller: ControllerConfig, deadline: Deadline): Promise<Vns3Credentials>;
  /** The controller rejected the credentials (401/403): forget them so a rotated secret is re-read. */
  invalidate?(controller: ControllerConfig): void;
}

/** Register credentials with a redactor so no log line or error can ever show them. */
export function registerCredentials(redactor: Redactor | undefined, credentials: Vns3Credentials): void {
  if (redactor === undefined) return;
  if (credentials.kind === "basic") redactor.addBasicAuth(credentials.username, credentials.password);
  else redactor.add(credentials.apiToken);
}

/**
 * Resolver backed by a {@link SecretCache} for `secretArn` controllers.
 * @param redactor learns every credential handed out. @default none
 */
export function createCredentialsResolver(secrets: SecretCache, redactor?: Redactor): CredentialsResolver {
  return {
    async resolve(controller, deadline) {
      const source = controller.credentials;
      let credentials: Vns3Credentials;
      if (source.kind === "basic") credentials = { kind: "basic", username: source.username, password: source.password };
      else if (source.kind === "token") credentials = { kind: "token", apiToken: source.apiToken };
      else credentials = parseControllerSecret(source.secretArn, await deadline.run((signal) => secrets.get(source.secretArn, signal)));
      registerCredentials(redactor, credentials);
      return credentials;
    },
    invalidate(controller) {
      if (controller.credentials.kind === "secret") secrets.invalidate(controller.credentials.secretArn);
    },
  };
}

/**
 * The Datadog API key, from DD_API_KEY or the secret named by DD_API_KEY_SECRET_ARN.
 * @throws SecretError
 */
export async function resolveApiKey(source: ApiKeySource, secrets: SecretCache, deadline: Deadline, redactor?: Redactor): Promise<string> {
  const key = source.kind === "inline" ? source.apiKey : parseApiKeySecret(source.secretArn, await deadline.run((signal) => secrets.get(source.secretArn, signal)));
  redactor?.add(key);
  return key;
}
