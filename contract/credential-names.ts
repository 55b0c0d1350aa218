/**
 * Which names mark a credential: a field of a definition, a webhook header, an attribute in a
 * plan. Used to keep values out of error messages, the review and the synthesized JSON. One rule,
 * so the schema, the loader and the review cannot disagree on what is secret.
 */

/** Words that mark a credential anywhere in a name (`apiToken`, `client_secret`, `X-Auth`). */
const CREDENTIAL_SUBSTRING = /secret|passw|token|credential|auth|cookie|apikey|appkey|signature|bearer/i;
/** Short words that mark a credential only as a whole word (`api_key`, `DD_APP_KEY`, not `monkey`). */
const CREDENTIAL_WORD = /(?:^|_)(?:key|keys|pass|pwd|private)(?:_|$)/i;
/**
 * Where a secret lives is not the secret: a name ending in ARN, name or id (`secretArn`,
 * `DD_API_KEY_SECRET_ARN`, `kms_key_id`) is not a credential.
 */
const REFERENCE_SUFFIX = /(?:^|_)(?:arn|arns|name|names|id|ids)$/i;

/** `apiToken` → `api_Token`, `X-Api-Key` → `X_Api_Key`: one separator for the word rules. */
function words(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_");
}

/** Whether a name says where a secret lives (an ARN, a name, an id) rather than holding one. */
export function isReference(name: string): boolean {
  return REFERENCE_SUFFIX.test(words(name));
}

/** Whether a name (field, header, variable, query parameter) says its value is a credential. */
export function isCredentialName(name: string): boolean {
  const w = words(name);
  if (REFERENCE_SUFFIX.test(w)) return false;
  return CREDENTIAL_SUBSTRING.test(w) || CREDENTIAL_WORD.test(w);
}
