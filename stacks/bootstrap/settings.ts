/**
 * `bootstrap.yaml` at the repository root: the one repository-level setting that turns the
 * bootstrap stacks into part of the app (main.ts), so that a change to them is reviewed and planned
 * like every stack. Without the file nothing changes: `npm run bootstrap` still works from flags.
 *
 *     repository: acme/vpn-monitor     # whose workflows the roles trust
 *     account: "123456789012"          # optional: for definitions whose ARNs name no account
 *     existingOidcProvider: true       # optional: the account has GitHub's OIDC provider already
 *
 * The deploy workflow never applies these stacks (their roles are the deploy credentials
 * themselves): the review lists them and says to apply them by hand (docs/onboarding.md).
 */
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { ACCOUNT_ID } from "./accounts";
import { REPOSITORY } from "./trust";

export interface BootstrapSettings {
  readonly repository: string;
  readonly account?: string;
  readonly existingOidcProvider: boolean;
}

export class BootstrapSettingsError extends Error {}

const FIELDS = ["repository", "account", "existingOidcProvider"] as const;

/**
 * Fields that existed once, refused with why rather than as unknown: a file that still names one
 * belongs to an account that may still hold what the field made.
 */
const REMOVED_FIELDS: Readonly<Record<string, (value: unknown) => string>> = {
  // The role is gone from the stack: pull requests validate with no credential. Refused, not
  // ignored with a warning: synth (and so the review of every pull request) stops until the line
  // goes, so the role's removal is a reviewed change and nobody keeps the role, or its variable,
  // without knowing.
  pullRequestRole: (value) =>
    [
      "was removed: there is no pull-request role any more. Its plans could never read the S3 state (the state holds the ticketing tokens), and pull requests now check each changed target with terraform validate, which needs no credential (docs/review.md).",
      value === true
        ? "Delete this line: the review then shows the role github-vpn-monitor-pull-request going, the next apply of the bootstrap stack deletes it, and `gh variable delete AWS_PULL_REQUEST_ROLE_ARN` removes its repository variable (docs/operations.md, \"Roles\")."
        : "Delete this line.",
    ].join(" "),
};

/** The settings of `file`, `undefined` when it does not exist; a wrong field throws naming file and field. */
export function loadBootstrapSettings(file: string, label = file): BootstrapSettings | undefined {
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new BootstrapSettingsError(`${label}: not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  return validateBootstrapSettings(raw, label);
}

export function validateBootstrapSettings(raw: unknown, label: string): BootstrapSettings {
  const fail = (field: string, expected: string): never => {
    throw new BootstrapSettingsError(`${label}: ${field} ${expected}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("(the file)", "must be a mapping with repository: <owner>/<repo>");
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (Object.hasOwn(REMOVED_FIELDS, key)) fail(key, REMOVED_FIELDS[key]!(record[key]));
    if (!(FIELDS as readonly string[]).includes(key)) fail(key, `is not a field (expected one of ${FIELDS.join(", ")})`);
  }
  const { repository, account, existingOidcProvider = false } = record;
  if (typeof repository !== "string" || !REPOSITORY.test(repository)) fail("repository", `must be <owner>/<repo> (e.g. acme/vpn-monitor), got ${JSON.stringify(repository)}`);
  if (account !== undefined && (typeof account !== "string" || !ACCOUNT_ID.test(account))) fail("account", `must be a 12-digit AWS account id in quotes, got ${JSON.stringify(account)}`);
  if (typeof existingOidcProvider !== "boolean") fail("existingOidcProvider", "must be true or false");
  return { repository: repository as string, ...(account !== undefined ? { account: account as string } : {}), existingOidcProvider: existingOidcProvider as boolean };
}
