/**
 * Definition text is data, never code. Terraform reads every string of cdk.tf.json as a template:
 * `${…}` is an expression (it may call functions such as file() or nonsensitive() and read any
 * variable, the ticketing secrets included) and `%{…}` a directive. A definition's text is copied
 * into that JSON, so each `${` becomes `$${` and each `%{` becomes `%%{`, Terraform's escapes for
 * the literal characters: the resource receives exactly the text of the definition.
 * Datadog's own syntax (`{{#is_alert}}`, `$WEBHOOK_VARIABLE`) contains neither sequence and is
 * unchanged. The stacks' generated references (cdktf tokens) are made after this and never pass
 * through it.
 */

/** The Terraform template text that renders as `text` itself. */
export function terraformLiteral(text: string): string {
  // One pass over both sequences: "$${" already in the text becomes "$$${", which renders "$${".
  return text.replace(/\$\{/g, "$$$${").replace(/%\{/g, "%%{");
}

/**
 * Keys whose values Terraform does not read as templates, left as they are: the backend block
 * (its settings are literal, and the schema keeps template characters out of them).
 */
const LITERAL_KEYS = new Set(["backend"]);

/** A copy of a validated definition with every string made a Terraform literal (see above). */
export function terraformLiterals<T>(definition: T): T {
  return literalsOf(definition, undefined) as T;
}

function literalsOf(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && LITERAL_KEYS.has(key)) return value;
  if (typeof value === "string") return terraformLiteral(value);
  if (Array.isArray(value)) return value.map((item) => literalsOf(item, undefined));
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    // Keys too: Terraform reads a map's keys as templates as well (a header name, a tag key).
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [terraformLiteral(k), literalsOf(v, k)]));
  }
  return value;
}
