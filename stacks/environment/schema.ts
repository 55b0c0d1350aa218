/**
 * The environment definition: one file per customer environment under `environments/`.
 *
 * This module is the single source of truth for its shape. Synth, `npm run onboard` and
 * `npm run review` all validate through it, so a file that one of them accepts, all accept.
 * It imports neither cdktf nor any provider, so the CLIs stay light.
 */
import { z } from "zod";
import { isCredentialName } from "../../contract/credential-names";
import { DATADOG_SITE_NAMES, describeDatadogSites, parseDatadogSite } from "../../contract/datadog-sites";
import { FINGERPRINT_FORMAT, parseFingerprint } from "../../contract/fingerprint";
import { DEFAULT_VNS3_API_PORT } from "../../contract/vns3";

/** Evaluation windows (minutes) that Datadog metric monitors accept as `last_<n>`. */
export const MONITOR_WINDOWS_MINUTES = [1, 5, 10, 15, 30, 60, 120, 240, 1440] as const;

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The schedule runs every minute, so a check must finish well inside 60 s. */
export const MAX_LAMBDA_TIMEOUT_SECONDS = 55;

// --- Field formats -------------------------------------------------------------------------

/** Lowercase, digits and hyphens: safe as a Datadog tag value, in AWS resource names and in a file name. */
const ENV_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const CONTROLLER_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SECRET_ARN = /^arn:aws(?:-us-gov|-cn)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const KMS_KEY_ARN = /^arn:aws(?:-us-gov|-cn)?:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;
const ROLE_ARN = /^arn:aws(?:-us-gov|-cn)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const HOSTNAME = /^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
/** Datadog webhook names become `@webhook-<name>` mentions. */
const WEBHOOK_NAME = /^[A-Za-z0-9_-]{1,100}$/;
/** Datadog webhook custom variables are referenced as `$NAME` and are global to the org. */
const CUSTOM_VARIABLE_NAME = /^[A-Z][A-Z0-9_]{0,99}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// --- Schema ----------------------------------------------------------------------------------

const tagKey = z.string().regex(/^[A-Za-z][\w.:/-]{0,127}$/, { message: "is not a valid AWS tag key" });

const awsSchema = z.strictObject({
  /** AWS region of the VPC, e.g. `eu-west-1`. */
  region: z.string({ message: "is required" }).regex(AWS_REGION, { message: "is not an AWS region" }),
  /** VPC the controllers and the checker live in. */
  vpcId: z.string({ message: "is required" }).regex(VPC_ID, { message: "is not a VPC id" }),
  /** Private subnets for the checker; they need a route to Datadog and Secrets Manager (NAT or endpoints). */
  subnetIds: z
    .array(z.string().regex(SUBNET_ID, { message: "is not a subnet id" }), { message: "is required" })
    .min(1, { message: "needs at least one subnet id" })
    .refine((ids) => new Set(ids).size === ids.length, { message: "lists a subnet twice" }),
  /** Role the AWS provider assumes to deploy into the customer account. @default none */
  assumeRoleArn: z.string().regex(ROLE_ARN, { message: "is not an IAM role ARN" }).optional(),
  /**
   * Customer-managed KMS keys that encrypt the listed secrets; the checker may decrypt with them
   * through Secrets Manager only. @default none (secrets use the AWS-managed key)
   */
  secretsKmsKeyArns: z.array(z.string().regex(KMS_KEY_ARN, { message: "is not a KMS key ARN" })).optional(),
  /** Tags for every AWS resource. @default {} */
  tags: z.record(tagKey, z.string().max(256, { message: "is longer than 256 characters" })).default({}),
});

const backendSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("local") }),
    z.strictObject({
      type: z.literal("s3"),
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "is not an S3 bucket name" }),
      /** @default `vpn-monitor/<name>.tfstate` */
      key: z.string().min(1).optional(),
      /** @default the environment's aws.region */
      region: z.string().regex(AWS_REGION, { message: "is not an AWS region" }).optional(),
      /** Legacy DynamoDB lock table; without it, S3-native locking (`use_lockfile`) is used. */
      dynamodbTable: z.string().min(3).max(255).optional(),
    }),
  ],
  { message: 'must be { type: "local" } or { type: "s3", bucket: … }' },
);

const controllerSchema = z.strictObject({
  /** Short name, used as the `controller:` tag and in resource names. */
  name: z
    .string({ message: "is required" })
    .regex(CONTROLLER_NAME, { message: "must be lowercase letters, digits and hyphens (2-32), starting with a letter" }),
  /** Private IP or DNS name the checker reaches the API on. */
  host: z
    .string({ message: "is required" })
    .refine((h) => IPV4.test(h) || HOSTNAME.test(h), { message: "is not an IPv4 address or host name" }),
  /** VNS3 API port. @default 8000 */
  port: z.number({ message: "must be a number" }).int().min(1).max(65535, { message: "must be 1-65535" }).default(DEFAULT_VNS3_API_PORT),
  /** The controller's existing security group; the stack adds one ingress rule to it. */
  securityGroupId: z.string({ message: "is required" }).regex(SECURITY_GROUP_ID, { message: "is not a security group id" }),
  /**
   * Secret holding `{"username","password"}` or `{"apiToken"}` for the controller API.
   * @default a secret the stack creates, empty, for the operator to fill
   */
  secretArn: z.string().regex(SECRET_ARN, { message: "is not a Secrets Manager secret ARN" }).optional(),
  /** SHA-256 fingerprint of the controller's certificate; the checker trusts nothing else. */
  tlsSha256: z
    .string({ message: "is required (run `npm run fingerprint -- <host>`)" })
    .refine((f) => parseFingerprint(f) !== undefined, { message: `is not ${FINGERPRINT_FORMAT}` })
    .transform((f) => parseFingerprint(f) as string),
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
  apiKeySecretArn: z.string().regex(SECRET_ARN, { message: "is not a Secrets Manager secret ARN" }).optional(),
});

const monitorSchema = z.strictObject({
  /** `simple`: one alert for the environment; `multi`: one alert (and ticket) per tunnel. @default simple */
  mode: z.enum(["simple", "multi"], { message: 'must be "simple" or "multi"' }).default("simple"),
  /** Evaluation window in minutes. @default 5 */
  windowMinutes: z
    .number({ message: "must be a number" })
    .refine((m) => (MONITOR_WINDOWS_MINUTES as readonly number[]).includes(m), {
      message: `is not a window Datadog accepts (${MONITOR_WINDOWS_MINUTES.join(", ")})`,
    })
    .default(5),
  /** Datadog monitor priority, 1 (highest) to 5. @default none */
  priority: z.number().int().min(1, { message: "must be 1-5" }).max(5, { message: "must be 1-5" }).optional(),
  /** Minutes between re-notifications while a tunnel stays down. @default no re-notification */
  renotifyIntervalMinutes: z.number().int().min(10, { message: "must be at least 10" }).max(10080).optional(),
  /** Extra text or @-mentions appended to the alert message. @default none */
  message: z.string().max(2000).optional(),
});

const ticketingSchema = z
  .strictObject({
    /** Ticketing system endpoint that Datadog calls; https only. */
    webhookUrl: z
      .string({ message: "is required" })
      .refine(
        (u) => {
          try {
            const url = new URL(u);
            return url.protocol === "https:" && url.username === "" && url.password === "";
          } catch {
            return false;
          }
        },
        { message: "must be an https:// URL without credentials in it" },
      ),
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
     * variables at deploy time, never from this file. Datadog variable names are global to the org.
     * @default []
     */
    secretVariables: z
      .array(z.string().regex(CUSTOM_VARIABLE_NAME, { message: "must be UPPER_SNAKE_CASE" }))
      .default([])
      .refine((v) => new Set(v).size === v.length, { message: "lists a variable twice" }),
    /** Extra request headers; credential headers must reference a secret variable as `$NAME`. @default {} */
    customHeaders: z.record(z.string().regex(HEADER_NAME, { message: "is not an HTTP header name" }), z.string()).default({}),
  })
  .superRefine((t, ctx) => {
    for (const [header, value] of Object.entries(t.customHeaders)) {
      const referenced = [...value.matchAll(/\$([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]);
      if (isCredentialName(header) && !referenced.some((v) => t.secretVariables.includes(v))) {
        ctx.addIssue({
          code: "custom",
          path: ["customHeaders", header],
          message: "carries a credential: put it in a secretVariables entry and reference it as $NAME",
        });
      }
    }
  });

const lambdaSchema = z.strictObject({
  /** @default 256 */
  memoryMb: z.number().int().min(128, { message: "must be 128-10240" }).max(10240, { message: "must be 128-10240" }).default(256),
  /** Must end before the next minute's run. @default 50 */
  timeoutSeconds: z
    .number()
    .int()
    .min(10, { message: `must be 10-${MAX_LAMBDA_TIMEOUT_SECONDS}` })
    .max(MAX_LAMBDA_TIMEOUT_SECONDS, { message: `must be 10-${MAX_LAMBDA_TIMEOUT_SECONDS}, below the one-minute schedule` })
    .default(50),
  /** @default 30 */
  logRetentionDays: z
    .number()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `is not a CloudWatch retention (${LOG_RETENTION_DAYS.join(", ")})`,
    })
    .default(30),
});

export const environmentSchema = z
  .strictObject({
    /** The stack is `vpn-monitor-<name>`; the `vpn_environment` tag value is `<name>`. */
    name: z
      .string({ message: "is required" })
      .regex(ENV_NAME, { message: "must be lowercase letters, digits and hyphens (2-32), starting with a letter" }),
    aws: awsSchema,
    backend: backendSchema.default({ type: "local" }),
    controllers: z.array(controllerSchema, { message: "is required" }).min(1, { message: "needs at least one controller" }),
    datadog: datadogSchema,
    monitor: monitorSchema.prefault({}),
    ticketing: ticketingSchema,
    lambda: lambdaSchema.prefault({}),
  })
  .superRefine((env, ctx) => {
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
export type MonitorMode = EnvironmentDefinition["monitor"]["mode"];
