/**
 * What the review hides. A report is posted on a pull request, where everyone with read access
 * sees it, so the rules err on the side of hiding: a masked value still shows *that* it changed.
 *
 * Three layers, each a pure function:
 * 1. by name: an attribute whose path names a credential (`isSecretPath`);
 * 2. by origin: a value that references a sensitive Terraform variable (decided in diff.ts);
 * 3. by shape: a value that looks like a credential wherever it is (`looksLikeSecretValue`), and,
 *    last, every literal masked by 1 or 2 is scrubbed from the whole report (`createScrubber`).
 */

import { isCredentialName, isReference } from "../../contract/credential-names";

export const MASK = "(sensitive)";

/** Flags about secrets, not secrets. */
const FLAG_NAMES = new Set(["is_secret", "sensitive", "encrypt", "encrypted"]);

/**
 * Whether an attribute path names a secret, judged on its last two segments, so that
 * `custom_headers{json}.Authorization` and `environment.variables.DD_API_KEY` are secret while
 * `vpc_config.subnet_ids` is not.
 */
export function isSecretPath(path: string): boolean {
  const segments = path
    .split(/[.[\]{}]+/)
    .filter((s) => s !== "" && s !== "json" && s !== "+" && s !== "-" && !/^\d+$/.test(s));
  const last = segments[segments.length - 1] ?? "";
  // Where a secret lives (`secretArn`, `kms_key_id`) is shown: reviewers need to see which secret the checker may read.
  if (FLAG_NAMES.has(last.toLowerCase()) || isReference(last)) return false;
  return segments.slice(-2).some(isCredentialName);
}

/** Paths that match the name rules but are known not to be secret, by entry type. */
const NOT_SECRET: Record<string, ReadonlySet<string>> = {
  // The S3 object key of the Terraform state: a path, and reviewers need to see it move.
  backend: new Set(["s3.key"]),
};

export function isKnownNotSecret(entryType: string, path: string): boolean {
  return NOT_SECRET[entryType]?.has(path) ?? false;
}

/**
 * Values that cannot hold a credential, whatever their name: flags, empty values, one Terraform
 * reference (`${aws_secretsmanager_secret.x.arn}`) and one Datadog webhook variable (`$ALERT_CYCLE_KEY`,
 * or a custom variable of the stack, which names the secret without holding it). Text around a
 * reference (`Bearer $TOKEN`) keeps the value masked.
 */
export function isHarmlessValue(value: string, datadogVariables: ReadonlySet<string>): boolean {
  if (["true", "false", "null", "", "[]", "{}"].includes(value)) return true;
  if (/^\$\{[a-z][\w-]*(?:\.[\w-]+|\[\d+\])+\}$/.test(value)) return true;
  const variable = /^\$([A-Z][A-Z0-9_]*)$/.exec(value)?.[1];
  return variable !== undefined && (DATADOG_BUILTIN_VARIABLES.has(variable) || datadogVariables.has(variable));
}

/** Datadog's own webhook variables (payload templates), which are placeholders, not values. */
const DATADOG_BUILTIN_VARIABLES = new Set([
  "AGGREG_KEY", "ALERT_CYCLE_KEY", "ALERT_ID", "ALERT_METRIC", "ALERT_PRIORITY", "ALERT_QUERY", "ALERT_SCOPE",
  "ALERT_STATUS", "ALERT_TITLE", "ALERT_TRANSITION", "ALERT_TYPE", "DATE", "DATE_POSIX", "EMAIL", "EVENT_MSG",
  "EVENT_TITLE", "EVENT_TYPE", "HOSTNAME", "ID", "LAST_UPDATED", "LAST_UPDATED_POSIX", "LINK", "ORG_ID", "ORG_NAME",
  "PRIORITY", "SNAPSHOT", "TAGS", "TEXT_ONLY_MSG", "USER", "USERNAME",
]);

/** Credentials recognizable by their shape, found anywhere in a text. */
const SECRET_SHAPES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g, // JWTs
  /\b(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}/g, // GitHub tokens
  /\bxox[abprs]-[\w-]{10,}/g, // Slack tokens
  /(?<![0-9a-fA-F])(?:[0-9a-f]{32}|[0-9a-f]{40})(?![0-9a-fA-F])/g, // Datadog API (32) and application (40) keys
  /(?<=\b[Bb]earer\s+)(?!\$)[A-Za-z0-9._~+/=-]{8,}/g, // a literal bearer token
  /(?<=\bBasic\s+)(?=[A-Za-z0-9+/]*[0-9=])[A-Za-z0-9+/]{12,}={0,2}/g, // literal basic-auth credentials
];
/** `https://user:password@host` → the user and password go. */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi;

/**
 * Whether a value contains something shaped like a credential (the whole value is then masked).
 * Credentials in a URL are not counted: the scrubber removes them and keeps the rest of the URL.
 */
export function looksLikeSecretValue(value: string): boolean {
  return SECRET_SHAPES.some((shape) => {
    shape.lastIndex = 0;
    return shape.test(value);
  });
}

/**
 * A function that masks, in any text, every known secret literal and everything shaped like a
 * credential. Literals shorter than 6 characters are not scrubbed from running text (they would
 * hit ordinary words); their own attributes are masked regardless.
 */
export function createScrubber(literals: Iterable<string>): (text: string) => string {
  const known = [...new Set([...literals].filter((s) => s.length >= 6))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const literal of known) if (out.includes(literal)) out = out.split(literal).join(MASK);
    out = out.replace(URL_USERINFO, `$1${MASK}@`);
    for (const shape of SECRET_SHAPES) out = out.replace(shape, MASK);
    return out;
  };
}
