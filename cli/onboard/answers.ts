/**
 * What `npm run onboard` collects, from flags or prompts, already checked field by field. A draft
 * holds the answers settled so far: `undefined` is "not yet asked", `null` is "asked: none"
 * (local state, the stack's own secret, no priority, …).
 */
import type { DatadogSiteName } from "../../contract/datadog-sites";
import type { MonitorMode } from "../../contract/definition/schema";
import type { ExistingEnvironments } from "./existing-environments";
import type { CertificateInfo } from "../fingerprint/tls-inspect";

/** One controller as the operator described it. */
export interface ControllerAnswer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityGroupId: string;
  /** null: the stack creates `vpn-monitor/<env>/<controller>`. */
  readonly secretArn: string | null;
  /** Canonical form (contract/fingerprint.ts). */
  readonly tlsSha256: string;
  /** Read from the controller during onboarding and confirmed by the operator. @default false */
  readonly fingerprintConfirmed?: boolean;
  /** When its API credential expires, YYYY-MM-DD; null or absent: not recorded. */
  readonly credentialExpires?: string | null | undefined;
}

/** Every answer onboard needs. */
export interface Answers {
  readonly name: string;
  readonly region: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /** null: local state (trying things out only; CI refuses it). */
  readonly stateBucket: string | null;
  /** null: the environment's region. */
  readonly stateRegion: string | null;
  /** null: the bucket's default encryption (backend.kmsKeyId unset). */
  readonly stateKmsKey?: string | null;
  readonly controllers: readonly ControllerAnswer[];
  readonly site: DatadogSiteName;
  /** `datadog.organization`; null: the site's one organization (left out of the file). */
  readonly datadogOrganization: string | null;
  /** null: the stack creates `vpn-monitor/<env>/datadog-api-key`. */
  readonly apiKeySecretArn: string | null;
  /** The schema's own name (an alias such as `multi` is already read as `tunnel`). */
  readonly mode: MonitorMode;
  readonly windowMinutes: number;
  readonly priority: number | null;
  readonly message: string | null;
  readonly webhookUrl: string;
  /** null: `vpn-tickets-<name>`, left out of the file. */
  readonly webhookName: string | null;
  readonly secretVariables: readonly string[];
  readonly customHeaders: Readonly<Record<string, string>>;
}

export type AnswerKey = keyof Answers;

/** A controller being described: any key may be missing. */
export type ControllerDraft = { -readonly [K in keyof ControllerAnswer]?: ControllerAnswer[K] | undefined };

/** Answers settled so far; controllers may still lack keys. */
export type Draft = { -readonly [K in Exclude<AnswerKey, "controllers">]?: Answers[K] | undefined } & { controllers?: ControllerDraft[] | undefined };

/** Everything the checks and questions consult besides the answers themselves. */
export interface OnboardContext {
  /** Definitions already in the target folder (names, webhooks and variables they hold). */
  readonly existing: ExistingEnvironments;
  /** Reads a controller's certificate (the fingerprint command's code). Absent: no live read. */
  readonly inspect?: (host: string, port: number) => Promise<CertificateInfo>;
  /** --allow-issued-certificate: a certificate that is not self-signed may be pinned (with a warning). @default false */
  readonly allowIssuedCertificate?: boolean;
}

/** A problem with one value: where (a flag or `#1 sg=`), the value as typed (never a secret), and what was expected. */
export interface Problem {
  /** Narrows the flag, e.g. `#2 sg=`. @default none */
  readonly where?: string;
  /** The value as the operator typed it; left out for values that may be secret. @default none */
  readonly value?: string;
  readonly detail: string;
}

/** The outcome of reading one answer. */
export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly Problem[] };

export const ok = <T>(value: T): Read<T> => ({ ok: true, value });
export const bad = <T>(...problems: Problem[]): Read<T> => ({ ok: false, problems });

/** `--vpc "vpc-12": expected …` for a flag. */
export function flagProblem(flag: string, problem: Problem): string {
  return `${flag}${problem.where !== undefined ? ` ${problem.where}` : ""}${problem.value !== undefined ? ` ${JSON.stringify(problem.value)}` : ""}: ${problem.detail}`;
}

/** The same problem at a prompt, where the flag means nothing. */
export function promptProblem(problem: Problem): string {
  return `${problem.value !== undefined ? `${JSON.stringify(problem.value)}: ` : ""}${problem.detail}`;
}
