/**
 * The environment definition: one file per customer environment under `environments/`.
 *
 * This module is the single source of truth for its shape. Synth, `npm run onboard` and
 * `npm run review` all validate through it, so a file that one of them accepts, all accept.
 * It imports neither cdktf nor any provider, so the CLIs stay light.
 */
import { CALENDAR_DATE_FORMAT, utcDayStartMs } from "../calendar-date";
import { z } from "zod";
import { isCredentialName } from "../credential-names";
import { PLAN_JOB_TICKETING_SLOTS } from "../github-setup";
import { DATADOG_SITE_NAMES, describeDatadogSites, parseDatadogSite } from "../datadog-sites";
import { FINGERPRINT_FORMAT, parseFingerprint } from "../fingerprint";
import { DEFAULT_VNS3_API_PORT } from "../vns3";
import { AWS_REGIONS, isAwsRegion } from "./aws-regions";
import { didYouMean } from "./did-you-mean";
import { datadogOrganizationSchema, fallbackNotifySchema, maintenanceSchema, operationsIssues, sloDefinitionSchema } from "./operations-schema";
import { sloCorrectionLimitIssues } from "./maintenance-limits";
import { pushSchema } from "./push-schema";
import { signalsSchema } from "./signals-schema";
import { defaultLambdaMemoryMb } from "../lambda-sizing";

/** Evaluation windows (minutes) that Datadog metric monitors accept as `last_<n>`. */
export const MONITOR_WINDOWS_MINUTES = [1, 5, 10, 15, 30, 60, 120, 240, 1440] as const;

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The schedule runs every minute, so a check must finish well inside 60 s. */
export const MAX_LAMBDA_TIMEOUT_SECONDS = 55;

/**
 * How alerts are grouped: `simple`, one alert for the environment; `partner`, one per partner
 * endpoint (`by {endpoint}`); `tunnel`, one per tunnel (`by {tunnel}`).
 */
export const MONITOR_MODES = ["simple", "partner", "tunnel"] as const;
export type MonitorMode = (typeof MONITOR_MODES)[number];
/** Earlier spellings still accepted, and what they mean now. */
export const MONITOR_MODE_ALIASES: Readonly<Record<string, MonitorMode>> = { multi: "tunnel" };

// --- Field formats -------------------------------------------------------------------------

/** Lowercase, digits and hyphens: safe as a Datadog tag value, in AWS resource names and in a file name. */
const ENV_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const CONTROLLER_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SECRET_ARN = /^arn:aws(?:-us-gov|-cn)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
/**
 * Secrets Manager ends every secret's ARN with `-` and six random characters. IAM compares the
 * policy's Resource with that full ARN, so an ARN without them (which GetSecretValue would still
 * accept as a partial ARN) grants nothing and the checker gets AccessDenied at run time.
 */
const SECRET_ARN_SUFFIX = /-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws(?:-us-gov|-cn)?:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;
const KMS_ALIAS_ARN = /^arn:aws(?:-us-gov|-cn)?:kms:[a-z0-9-]+:\d{12}:alias\/[A-Za-z0-9/_-]{1,250}$/;
/** Datadog role ids are UUIDs (`data.id` in the Roles API). */
const DATADOG_ROLE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ROLE_ARN = /^arn:aws(?:-us-gov|-cn)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const HOSTNAME = /^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
/** Datadog webhook names become `@webhook-<name>` mentions. */
const WEBHOOK_NAME = /^[A-Za-z0-9_-]{1,100}$/;
/** Datadog webhook custom variables are referenced as `$NAME` and are global to the org. */
const CUSTOM_VARIABLE_NAME = /^[A-Z][A-Z0-9_]{0,99}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** `$NAME` references to webhook custom variables inside a header, payload or URL. */
const VARIABLE_REFERENCE = /\$([A-Z][A-Z0-9_]*)/g;

/** What each id or ARN looks like, for messages that say what was expected. */
const EXPECTED = {
  vpcId: "vpc- followed by 8 or 17 hex digits",
  subnetId: "subnet- followed by 8 or 17 hex digits",
  securityGroupId: "sg- followed by 8 or 17 hex digits",
  secretArn: "arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>-<6 characters>",
  kmsKeyArn: "arn:aws:kms:<region>:<12-digit account>:key/<key id>",
  roleArn: "arn:aws:iam::<12-digit account>:role/<name>",
  region: `one of the ${AWS_REGIONS.length} regions of the aws, aws-cn and aws-us-gov partitions, such as eu-west-1`,
} as const;

/** A string field checked by a regular expression, whose message says what was expected. */
const formatted = (pattern: RegExp, what: string, expected: string) =>
  z.string({ message: `is required (expected ${expected})` }).regex(pattern, { message: `is not ${what} (expected ${expected})` });

/** An AWS region from the known list; a near miss gets a suggestion. */
const awsRegion = z.string({ message: `is required (expected ${EXPECTED.region})` }).superRefine((region, ctx) => {
  if (isAwsRegion(region)) return;
  const suggestion = didYouMean(region, AWS_REGIONS);
  ctx.addIssue({
    code: "custom",
    message: `is not an AWS region (expected ${EXPECTED.region}${suggestion ? `; did you mean "${suggestion}"?` : ""})`,
  });
});

/** A Secrets Manager secret's full ARN, six-character suffix included. */
const secretArn = z.string({ message: `is required (expected ${EXPECTED.secretArn})` }).superRefine((arn, ctx) => {
  if (!SECRET_ARN.test(arn)) {
    ctx.addIssue({ code: "custom", message: `is not a Secrets Manager secret ARN (expected ${EXPECTED.secretArn})` });
  } else if (!SECRET_ARN_SUFFIX.test(arn)) {
    ctx.addIssue({
      code: "custom",
      message:
        "lacks the six characters Secrets Manager appends to a secret's ARN (e.g. …-AbCdEf): IAM would match no secret and the checker would be denied at run time. " +
        "Copy the full ARN from `aws secretsmanager describe-secret --secret-id <name> --query ARN`",
    });
  }
});

// --- Schema ----------------------------------------------------------------------------------

const tagKey = z
  .string()
  .regex(/^[A-Za-z][\w.:/-]{0,127}$/, { message: "is not a valid AWS tag key (expected a letter, then at most 127 letters, digits and _ . : / -)" });

const awsSchema = z.strictObject({
  /** AWS region of the VPC, e.g. `eu-west-1`. */
  region: awsRegion,
  /** VPC the controllers and the checker live in. */
  vpcId: formatted(VPC_ID, "a VPC id", EXPECTED.vpcId),
  /** Private subnets for the checker; they need a route to Datadog and Secrets Manager (NAT or endpoints). */
  subnetIds: z
    .array(formatted(SUBNET_ID, "a subnet id", EXPECTED.subnetId), { message: `is required (expected a list of subnet ids: ${EXPECTED.subnetId})` })
    .min(1, { message: "needs at least one subnet id" })
    .refine((ids) => new Set(ids).size === ids.length, { message: "lists a subnet twice" }),
  /** Role the AWS provider assumes to deploy into the customer account. @default none */
  assumeRoleArn: formatted(ROLE_ARN, "an IAM role ARN", EXPECTED.roleArn).optional(),
  /**
   * Customer-managed KMS keys that encrypt the listed secrets; the checker may decrypt with them
   * through Secrets Manager only. @default none (secrets use the AWS-managed key)
   */
  secretsKmsKeyArns: z.array(formatted(KMS_KEY_ARN, "a KMS key ARN", EXPECTED.kmsKeyArn)).optional(),
  /** Tags for every AWS resource. @default {} */
  tags: z.record(tagKey, z.string().max(256, { message: "is longer than 256 characters" })).default({}),
});

const backendSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("local") }),
    z.strictObject({
      type: z.literal("s3"),
      /** Bucket holding the state; it must exist before the first deploy. */
      bucket: formatted(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name", "3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"),
      /** @default `vpn-monitor/<name>.tfstate` */
      key: z.string().min(1, { message: "must not be empty" }).optional(),
      /** @default the environment's aws.region */
      region: awsRegion.optional(),
      /** Legacy DynamoDB lock table; without it, S3-native locking (`use_lockfile`) is used. @default none */
      dynamodbTable: z.string().min(3, { message: "must be 3-255 characters" }).max(255, { message: "must be 3-255 characters" }).optional(),
      /**
       * KMS key (ARN of the key or of an alias) the state object is encrypted with (SSE-KMS). The
       * deployer needs kms:Encrypt, kms:Decrypt and kms:GenerateDataKey on it.
       * @default none (SSE-S3, the bucket's default encryption)
       */
      kmsKeyId: z
        .string({ message: `is required (expected ${EXPECTED.kmsKeyArn} or …:alias/<name>)` })
        .refine((id) => KMS_KEY_ARN.test(id) || KMS_ALIAS_ARN.test(id), { message: `is not a KMS key ARN (expected ${EXPECTED.kmsKeyArn} or arn:aws:kms:<region>:<12-digit account>:alias/<name>)` })
        .optional(),
      /**
       * This bucket also holds the fleet overview's state of the definition's Datadog site
       * (stacks/fleet-state.ts): needed on exactly one definition once two on the site keep state in S3.
       * @default false
       */
      fleet: z.boolean({ message: "must be true or false" }).optional(),
    }),
  ],
  { message: 'must be { type: "local" } or { type: "s3", bucket: … }' },
);

const controllerSchema = z.strictObject({
  /** Short name, used as the `controller:` tag and in resource names. */
  name: z
    .string({ message: "is required (expected lowercase letters, digits and hyphens, 2-32, starting with a letter)" })
    .regex(CONTROLLER_NAME, { message: "must be lowercase letters, digits and hyphens (2-32), starting with a letter" }),
  /** Private IP or DNS name the checker reaches the API on. */
  host: z
    .string({ message: "is required (expected an IPv4 address or host name)" })
    .refine((h) => IPV4.test(h) || HOSTNAME.test(h), { message: "is not an IPv4 address or host name (expected e.g. 10.0.1.10 or vns3.internal.example; the port goes in port)" }),
  /** VNS3 API port. @default 8000 */
  port: z
    .number({ message: "must be a number (expected 1-65535)" })
    .int({ message: "must be a whole number (expected 1-65535)" })
    .min(1, { message: "must be 1-65535" })
    .max(65535, { message: "must be 1-65535" })
    .default(DEFAULT_VNS3_API_PORT),
  /** The controller's existing security group; the stack adds one ingress rule to it. */
  securityGroupId: formatted(SECURITY_GROUP_ID, "a security group id", EXPECTED.securityGroupId),
  /**
   * Secret holding `{"username","password"}` or `{"apiToken"}` for the controller API.
   * @default a secret the stack creates, empty, for the operator to fill
   */
  secretArn: secretArn.optional(),
  /** SHA-256 fingerprint of the controller's certificate; the checker trusts nothing else. */
  tlsSha256: z
    .string({ message: "is required (run `npm run fingerprint -- <host>`)" })
    .refine((f) => parseFingerprint(f) !== undefined, { message: `is not ${FINGERPRINT_FORMAT}` })
    .transform((f) => parseFingerprint(f) as string),
  /** During a certificate rotation: the next certificate's fingerprint, accepted as well (docs/onboarding.md). */
  tlsSha256Next: z
    .string({ message: `must be ${FINGERPRINT_FORMAT}` })
    .refine((f) => parseFingerprint(f) !== undefined, { message: `is not ${FINGERPRINT_FORMAT}` })
    .transform((f) => parseFingerprint(f) as string)
    .optional(),
  /** When the controller's API credential (token) expires, YYYY-MM-DD: sends vpn.controller.credential_days_left. */
  credentialExpires: z
    .string({ message: `must be ${CALENDAR_DATE_FORMAT}, quoted` })
    .refine((d) => utcDayStartMs(d) !== undefined, { message: `is not ${CALENDAR_DATE_FORMAT}` })
    .optional(),
});

const datadogSchema = z.strictObject({
  /** Datadog site: a short name (`EU`) or any spelling of its domain (`datadoghq.eu`, `app.datadoghq.eu`). */
  site: z.preprocess(
    (value) => (typeof value === "string" ? (parseDatadogSite(value) ?? value) : value),
    z.enum(DATADOG_SITE_NAMES, { message: `must be one of ${describeDatadogSites()}` }),
  ),
  /**
   * Secret holding the Datadog API key the checker posts with (the bare key, or `{"apiKey"}`).
   * @default a secret the stack creates, empty, for the operator to fill
   */
  apiKeySecretArn: secretArn.optional(),
  /**
   * The Datadog organization on that site, when one repository serves several (a managed-service
   * team whose customers each own one): names are unique, and fleet overviews made, per organization.
   * @default the site's one organization
   */
  organization: datadogOrganizationSchema,
});

const monitorModeMessage = (value: string): string => {
  const suggestion = didYouMean(value, [...MONITOR_MODES, ...Object.keys(MONITOR_MODE_ALIASES)]);
  return `must be "simple", "partner" or "tunnel" ("multi" is accepted as another name for "tunnel")${suggestion ? `; did you mean "${suggestion}"?` : ""}`;
};

const monitorSchema = z.strictObject({
  /**
   * `simple`: one alert for the environment; `partner`: one alert per partner endpoint;
   * `tunnel`: one alert (and ticket) per tunnel. `multi` is read as `tunnel`.
   * @default simple
   */
  mode: z
    .string({ message: monitorModeMessage("") })
    .transform((value, ctx): MonitorMode => {
      const mode = MONITOR_MODE_ALIASES[value] ?? value;
      if ((MONITOR_MODES as readonly string[]).includes(mode)) return mode as MonitorMode;
      ctx.addIssue({ code: "custom", message: monitorModeMessage(value) });
      return z.NEVER;
    })
    .default("simple"),
  /** Evaluation window in minutes. @default 5 */
  windowMinutes: z
    .number({ message: `must be a number (expected one of ${MONITOR_WINDOWS_MINUTES.join(", ")})` })
    .refine((m) => (MONITOR_WINDOWS_MINUTES as readonly number[]).includes(m), {
      message: `is not a window Datadog accepts (expected one of ${MONITOR_WINDOWS_MINUTES.join(", ")})`,
    })
    .default(5),
  /** Datadog monitor priority, 1 (highest) to 5. @default none */
  priority: z.number({ message: "must be a number (expected 1-5)" }).int({ message: "must be 1-5" }).min(1, { message: "must be 1-5" }).max(5, { message: "must be 1-5" }).optional(),
  /** Minutes between re-notifications while a tunnel stays down. @default no re-notification */
  renotifyIntervalMinutes: z
    .number({ message: "must be a number of minutes (expected 10-10080)" })
    .int({ message: "must be a whole number of minutes (expected 10-10080)" })
    .min(10, { message: "must be at least 10 (expected 10-10080)" })
    .max(10080, { message: "must be at most 10080, one week (expected 10-10080)" })
    .optional(),
  /** Extra text or @-mentions appended to the alert message. @default none */
  message: z.string({ message: "must be text" }).max(2000, { message: "is longer than 2000 characters" }).optional(),
  /**
   * Datadog role ids (UUIDs, `data.id` of the Roles API) allowed to edit, delete or mute the
   * monitors: give the deploy identity's role, so nobody edits them by hand. Becomes
   * `restricted_roles` on every monitor of the environment. @default none (any user with monitor write)
   */
  restrictedRoles: z
    .array(formatted(DATADOG_ROLE_ID, "a Datadog role id", "a UUID such as 5b9c1a6e-0f3d-11ee-9f0b-da7ad0900002, the data.id of Datadog's Roles API"), {
      message: "must be a list of Datadog role ids",
    })
    .min(1, { message: "needs at least one role id (leave the field out for no restriction)" })
    .refine((ids) => new Set(ids).size === ids.length, { message: "lists a role twice" })
    .optional(),
});

const ticketingSchema = z
  .strictObject({
    /** Ticketing system endpoint that Datadog calls; https only. */
    webhookUrl: z.string({ message: "is required (expected an https:// URL)" }).superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: "custom", message: "is not a URL (expected https://host/path)" });
        return;
      }
      if (url.protocol !== "https:") ctx.addIssue({ code: "custom", message: "must be an https:// URL (Datadog sends the alert, and any token, over it)" });
      if (url.username !== "" || url.password !== "") {
        ctx.addIssue({
          code: "custom",
          message: "must be an https:// URL without credentials in it: put them in a secretVariables entry and a customHeaders value ($NAME)",
          params: { concealValue: true },
        });
      }
      for (const [parameter, parameterValue] of url.searchParams) {
        if (isCredentialName(parameter) && [...parameterValue.matchAll(VARIABLE_REFERENCE)].length === 0) {
          ctx.addIssue({
            code: "custom",
            message:
              `carries a credential in its query parameter "${parameter}": declare a secret variable in secretVariables (e.g. TICKET_TOKEN) and write ` +
              `?${parameter}=$TICKET_TOKEN; Datadog substitutes custom variables in the URL too, and the value stays out of this file and the review`,
            params: { concealValue: true },
          });
        }
      }
    }),
    /** @default `vpn-tickets-<name>` */
    webhookName: z.string().regex(WEBHOOK_NAME, { message: "must be letters, digits, _ and - (at most 100)" }).optional(),
    /** JSON payload template with Datadog `$VARIABLES`. @default a ticket payload built from alert id, cycle key, transition, title, scope and link */
    payload: z
      .string()
      .refine(
        (p) => {
          try {
            JSON.parse(p);
            return true;
          } catch {
            return false;
          }
        },
        { message: "is not valid JSON (variables such as $ALERT_ID go inside strings)" },
      )
      .optional(),
    /**
     * Names of secret webhook variables (for tokens). Their values come from sensitive Terraform
     * variables at deploy time, never from this file. Datadog variable names are unique within an
     * organization. At most PLAN_JOB_TICKETING_SLOTS (10): the deploy's plan job reads each by name.
     * @default []
     */
    secretVariables: z
      .array(z.string().regex(CUSTOM_VARIABLE_NAME, { message: "must be UPPER_SNAKE_CASE" }))
      .default([])
      .refine((v) => new Set(v).size === v.length, { message: "lists a variable twice" })
      .superRefine((v, ctx) => {
        if (v.length <= PLAN_JOB_TICKETING_SLOTS) return;
        ctx.addIssue({
          code: "custom",
          message:
            `lists ${v.length} variables, and the deploy's plan job reads at most ${PLAN_JOB_TICKETING_SLOTS} ticketing secrets by name ` +
            `(SECRET_0 … SECRET_${PLAN_JOB_TICKETING_SLOTS - 1} in .github/workflows/deploy-environments.yml): expected at most ${PLAN_JOB_TICKETING_SLOTS}, ` +
            "or add slots to that workflow and raise PLAN_JOB_TICKETING_SLOTS (contract/github-setup.ts)",
        });
      }),
    /** @-handles notified beside the webhook, for when it answers 4xx. @default none */
    fallbackNotify: fallbackNotifySchema,
    /** Extra request headers; credential headers must reference a secret variable as `$NAME`. @default {} */
    customHeaders: z.record(z.string().regex(HEADER_NAME, { message: "is not an HTTP header name" }), z.string()).default({}),
  })
  .superRefine((t, ctx) => {
    const references = (text: string) => [...text.matchAll(VARIABLE_REFERENCE)].map((m) => m[1]!);
    for (const [parameter, value] of webhookQuery(t.webhookUrl)) {
      if (!isCredentialName(parameter)) continue;
      for (const variable of references(value).filter((v) => !t.secretVariables.includes(v))) {
        ctx.addIssue({
          code: "custom",
          path: ["webhookUrl"],
          message: `query parameter "${parameter}" references $${variable}, which is not in ticketing.secretVariables (expected a declared secret variable)`,
          params: { concealValue: true },
        });
      }
    }
    for (const [header, value] of Object.entries(t.customHeaders)) {
      const referenced = references(value);
      if (isCredentialName(header) && !referenced.some((v) => t.secretVariables.includes(v))) {
        // A credential header must name a declared secret: one it names that is not declared is a
        // typo or a missing entry, and Datadog would send the text "$NAME" as the credential.
        const undeclared = referenced.filter((v) => !t.secretVariables.includes(v));
        const declared = t.secretVariables.length === 0 ? "none is declared" : `declared: ${t.secretVariables.join(", ")}`;
        ctx.addIssue({
          code: "custom",
          path: ["customHeaders", header],
          message:
            undeclared.length > 0
              ? `references $${undeclared.join(", $")}, which is not in ticketing.secretVariables (${declared}): declare it there or fix the name`
              : "carries a credential: put it in a secretVariables entry and reference it as $NAME",
        });
      }
    }
  });

/** The query parameters of a webhook URL, or none when it does not parse (the field reports that). */
function webhookQuery(webhookUrl: string): [string, string][] {
  try {
    return [...new URL(webhookUrl).searchParams];
  } catch {
    return [];
  }
}

const lambdaSchema = z.strictObject({
  /**
   * Lambda gives CPU in proportion to memory, and a check's CPU grows with its controllers.
   * @default by controller count: 256 MB up to 4, 512 up to 11, 1,024 up to 24, 1,769 beyond
   *   (contract/lambda-sizing.ts, from `npm run bench`); read it through {@link checkerMemoryMb}
   */
  memoryMb: z
    .number({ message: "must be a number of MB (expected 128-10240)" })
    .int({ message: "must be a whole number of MB (expected 128-10240)" })
    .min(128, { message: "must be 128-10240" })
    .max(10240, { message: "must be 128-10240" })
    .optional(),
  /** Must end before the next minute's run. @default 50 */
  timeoutSeconds: z
    .number({ message: `must be a number of seconds (expected 10-${MAX_LAMBDA_TIMEOUT_SECONDS})` })
    .int({ message: `must be a whole number of seconds (expected 10-${MAX_LAMBDA_TIMEOUT_SECONDS})` })
    .min(10, { message: `must be 10-${MAX_LAMBDA_TIMEOUT_SECONDS}` })
    .max(MAX_LAMBDA_TIMEOUT_SECONDS, { message: `must be 10-${MAX_LAMBDA_TIMEOUT_SECONDS}, below the one-minute schedule` })
    .default(50),
  /** @default 30 */
  logRetentionDays: z
    .number({ message: `must be a number of days (expected one of ${LOG_RETENTION_DAYS.join(", ")})` })
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `is not a CloudWatch retention (expected one of ${LOG_RETENTION_DAYS.join(", ")})`,
    })
    .default(30),
  /**
   * Concurrency reserved for the checker (`reserved_concurrent_executions`). Opt-in: it guarantees
   * the checker a slot when other functions exhaust the account's pool, but AWS keeps 100 (10 on
   * low-quota accounts) unreserved, so it fails to deploy where the quota is small. Overlapping runs
   * are prevented by the timeout, not by this. @default none (the function uses the unreserved pool)
   */
  reservedConcurrency: z
    .number({ message: "must be a number (expected a whole number of at least 1; 1 is enough for one check a minute)" })
    .int({ message: "must be a whole number (expected at least 1; 1 is enough for one check a minute)" })
    .min(1, { message: "must be at least 1 (leave the field out for no reservation)" })
    .optional(),
});

export const environmentSchema = z
  .strictObject({
    /** The stack is `vpn-monitor-<name>`; the `vpn_environment` tag value is `<name>`. */
    name: z
      .string({ message: "is required (expected lowercase letters, digits and hyphens, 2-32, starting with a letter, matching the file name)" })
      .regex(ENV_NAME, { message: "must be lowercase letters, digits and hyphens (2-32), starting with a letter" })
      // vpn-monitor-fleet[-<site>] is the fleet overview's stack (stacks/fleet-stack.ts).
      .refine((name) => name !== "fleet" && !name.startsWith("fleet-"), { message: 'is reserved: "fleet" and "fleet-…" name the fleet overview stacks' })
      // vpn-monitor-bootstrap[-<account>] is the bootstrap stack (stacks/bootstrap/names.ts).
      .refine((name) => name !== "bootstrap" && !name.startsWith("bootstrap-"), { message: 'is reserved: "bootstrap" and "bootstrap-…" name the bootstrap stacks' }),
    /**
     * Whether the deploy and drift workflows plan this environment (cli/preflight/targets.ts).
     * `false` marks an example: synthesized and shown by the review like any other, never a
     * deploy target, and its fleet overview only while no deploy target shares its Datadog
     * organization (stacks/fleet-groups.ts). Delete the line to deploy it. @default true
     */
    deploy: z.boolean({ message: "must be true or false (false: an example, synthesized and reviewed but never deployed or drift-checked)" }).optional(),
    aws: awsSchema,
    backend: backendSchema.default({ type: "local" }),
    controllers: z.array(controllerSchema, { message: "is required" }).min(1, { message: "needs at least one controller" }),
    datadog: datadogSchema,
    monitor: monitorSchema.prefault({}),
    ticketing: ticketingSchema,
    lambda: lambdaSchema.prefault({}),
    /** Partner or controller maintenance that mutes this environment's monitors. @default [] */
    maintenance: maintenanceSchema,
    /** The availability SLO. @default { target: 99.9, timeframe: "30d" } */
    slo: sloDefinitionSchema,
    /** Signal groups beyond the tunnel status (contract/signals.ts). @default every group on */
    signals: signalsSchema,
    /** VNS3's own alerts pushed into Datadog events (docs/push.md). @default off */
    push: pushSchema,
  })
  .superRefine((env, ctx) => {
    for (const issue of [...operationsIssues(env), ...sloCorrectionLimitIssues(env.maintenance)]) {
      ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
    }
    const seen = new Map<string, number>();
    env.controllers.forEach((c, i) => {
      if (seen.has(c.name)) {
        ctx.addIssue({ code: "custom", path: ["controllers", i, "name"], message: `repeats controllers[${seen.get(c.name)}].name` });
      } else {
        seen.set(c.name, i);
      }
    });
  });

/** A validated environment definition, with defaults applied. */
export type EnvironmentDefinition = z.output<typeof environmentSchema>;
/** What an operator writes in the file, before defaults. */
export type EnvironmentInput = z.input<typeof environmentSchema>;
export type ControllerDefinition = EnvironmentDefinition["controllers"][number];

/** Whether an environment is a deploy target: every definition is, unless it says `deploy: false` (an example). */
export function isDeployTarget(env: Pick<EnvironmentDefinition, "deploy">): boolean {
  return env.deploy !== false;
}

/** The checker's memory: the definition's, else the default for its number of controllers. */
export function checkerMemoryMb(env: Pick<EnvironmentDefinition, "lambda" | "controllers">): number {
  return env.lambda.memoryMb ?? defaultLambdaMemoryMb(env.controllers.length);
}
