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

/**
 * Path segments this long or longer are masked in webhook URLs: a long opaque segment is how many
 * services carry a token in the path (Slack's `/services/T…/B…/<24 characters>`, Teams' and
 * generic "webhook id" URLs). Shorter segments (`api`, `v2`, `datadog`) show.
 */
export const LONG_PATH_SEGMENT = 20;

/** `scheme://authority` `path` `?query` `#fragment`, without normalizing anything (WHATWG URL would re-encode). */
const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i;

/**
 * A webhook URL as the review shows it: the scheme, host and short path segments stay; every query
 * value, every path segment of {@link LONG_PATH_SEGMENT} characters or more, a fragment and any
 * user-info become {@link MASK}. A value that is exactly one harmless Datadog variable
 * (`?token=$TICKET_TOKEN`, which Datadog substitutes) stays, as it names the secret without
 * holding it. `hidden` lists what was masked, for the report-wide scrub.
 */
export function maskWebhookUrl(url: string, datadogVariables: ReadonlySet<string>): { readonly masked: string; readonly hidden: readonly string[] } {
  const parts = URL_PARTS.exec(url);
  if (!parts) return { masked: url, hidden: [] };
  const hidden: string[] = [];
  const hide = (value: string) => {
    if (value === "" || isHarmlessValue(value, datadogVariables)) return value;
    hidden.push(value);
    return MASK;
  };
  const [, origin = "", path = "", query, fragment] = parts;
  const at = origin.lastIndexOf("@");
  const authority = at < 0 ? origin : `${origin.slice(0, origin.indexOf("//") + 2)}${hide(origin.slice(origin.indexOf("//") + 2, at))}${origin.slice(at)}`;
  const maskedPath = path
    .split("/")
    .map((segment) => (segment.length >= LONG_PATH_SEGMENT ? hide(segment) : segment))
    .join("/");
  const maskedQuery =
    query === undefined
      ? ""
      : `?${query
          .slice(1)
          .split("&")
          .map((pair) => {
            const eq = pair.indexOf("=");
            return eq < 0 ? pair : `${pair.slice(0, eq + 1)}${hide(pair.slice(eq + 1))}`;
          })
          .join("&")}`;
  const maskedFragment = fragment === undefined ? "" : `#${hide(fragment.slice(1))}`;
  return { masked: `${authority}${maskedPath}${maskedQuery}${maskedFragment}`, hidden };
}
