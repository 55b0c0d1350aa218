/**
 * The interactive half of `npm run onboard`: asks for every answer the flags left out, each
 * question validated with the schema's own field definition so a typo is caught where it is made.
 */
import * as path from "node:path";
import { DATADOG_SITES } from "../../contract/datadog-sites";
import { environmentSchema, MONITOR_WINDOWS_MINUTES } from "../../stacks/environment/schema";
import { formatFieldPath } from "../../stacks/environment/load";
import { ONBOARD_DEFAULTS, parsePairs, type ExistingEnvironments, type PartialAnswers, type PartialControllerAnswer } from "./onboard-core";
import type { Prompter } from "./prompter";
import { formatCertificateReport, type CertificateInfo } from "./tls-inspect";

const FIELDS = environmentSchema.shape;
const AWS = FIELDS.aws.shape;
const CONTROLLER = FIELDS.controllers.element.shape;
const MONITOR = FIELDS.monitor.unwrap().shape;
const TICKETING = FIELDS.ticketing.shape;

interface Parser {
  safeParse(value: unknown): { success: true } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

/** `true`, or `<field> <first problem>` as the schema words it. */
function judge(field: string, schema: Parser, value: unknown): true | string {
  const result = schema.safeParse(value);
  if (result.success) return true;
  const issue = result.error.issues[0];
  const at = issue && issue.path.length > 0 ? formatFieldPath(issue.path) : "";
  return `${field}${at.startsWith("[") || at === "" ? at : `.${at}`} ${issue?.message ?? "is invalid"}`;
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function numberish(value: string): number | string {
  return /^\s*\d+\s*$/.test(value) ? Number(value) : value;
}

/** Everything interactive onboarding depends on besides the prompter. */
export interface InteractiveContext {
  readonly existing: ExistingEnvironments;
  /** Reads a controller's certificate (the fingerprint command's code). Absent: no live read. */
  readonly inspect?: (host: string, port: number) => Promise<CertificateInfo>;
}

async function askController(p: Prompter, given: PartialControllerAnswer, others: readonly PartialControllerAnswer[], ctx: InteractiveContext, n: number): Promise<PartialControllerAnswer> {
  const c: PartialControllerAnswer = { ...given };
  const label = `Controller ${n}`;
  if (c.name === undefined || c.name === "") {
    c.name = await p.text({
      message: `${label}: short name (the controller tag, e.g. vns3-primary)`,
      validate: (v) => {
        const ok = judge("name", CONTROLLER.name, v.trim());
        if (ok !== true) return ok;
        return others.some((o) => o.name === v.trim()) ? `name ${v.trim()} is already used by another controller` : true;
      },
    });
    c.name = c.name.trim();
  }
  if (c.host === undefined || c.host === "") {
    c.host = (await p.text({ message: `${label}: private IP or DNS name of its API`, validate: (v) => judge("host", CONTROLLER.host, v.trim()) })).trim();
  }
  if (c.port === undefined) {
    c.port = numberish(await p.text({ message: `${label}: API port`, default: String(ONBOARD_DEFAULTS.port), validate: (v) => judge("port", CONTROLLER.port, numberish(v)) }));
  }
  if (c.securityGroupId === undefined || c.securityGroupId === "") {
    c.securityGroupId = (
      await p.text({ message: `${label}: its security group id (the stack adds one ingress rule to it)`, validate: (v) => judge("securityGroupId", CONTROLLER.securityGroupId, v.trim()) })
    ).trim();
  }
  if (c.secretArn === undefined) {
    c.secretArn = (
      await p.text({
        message: `${label}: ARN of the secret with its API credentials (empty: the stack creates vpn-monitor/<env>/${c.name})`,
        validate: (v) => (v.trim() === "" ? true : judge("secretArn", CONTROLLER.secretArn, v.trim())),
      })
    ).trim();
  }
  while (c.tlsSha256 === undefined || c.tlsSha256 === "") {
    const canRead = ctx.inspect !== undefined;
    const answer = (
      await p.text({
        message: `${label}: SHA-256 fingerprint of its certificate${canRead ? " (empty: read it from the controller now)" : ""}`,
        validate: (v) => (v.trim() === "" && canRead ? true : judge("tlsSha256", CONTROLLER.tlsSha256, v.trim())),
      })
    ).trim();
    if (answer !== "") {
      c.tlsSha256 = answer;
      break;
    }
    const port = typeof c.port === "number" ? c.port : ONBOARD_DEFAULTS.port;
    p.say(`Reading the certificate of ${c.host}:${port} (TLS handshake only, nothing is sent) …`);
    try {
      const info = await (ctx.inspect as NonNullable<InteractiveContext["inspect"]>)(c.host, port);
      for (const line of formatCertificateReport(info).slice(0, 8)) p.say(line);
      if (await p.confirm({ message: `Pin this certificate (compare the SHA-256 with the controller's, out of band)?`, default: true })) {
        c.tlsSha256 = info.sha256;
        c.fingerprintConfirmed = true;
      }
    } catch (error) {
      p.say(`Could not read it: ${error instanceof Error ? error.message : String(error)}`);
      p.say("Run `npm run fingerprint -- <host>` where the controller is reachable and paste the fingerprint.");
    }
  }
  return c;
}

/**
 * Asks for what `initial` lacks and returns the completed answers. Values given as flags are
 * kept and not asked again.
 */
export async function promptForAnswers(initial: PartialAnswers, p: Prompter, ctx: InteractiveContext): Promise<PartialAnswers> {
  const a: PartialAnswers = { ...initial, ...(initial.controllers ? { controllers: initial.controllers.map((c) => ({ ...c })) } : {}) };
  const taken = new Map<string, string>();
  for (const f of ctx.existing.fileNames) taken.set(path.basename(f, path.extname(f)), path.join(ctx.existing.dir, f));
  for (const e of ctx.existing.loaded) taken.set(e.definition.name, e.file);

  if (a.name === undefined) {
    a.name = (
      await p.text({
        message: "Environment name (lowercase letters, digits, hyphens; the stack is vpn-monitor-<name>)",
        validate: (v) => {
          const ok = judge("name", FIELDS.name, v.trim());
          if (ok !== true) return ok;
          const owner = taken.get(v.trim());
          return owner === undefined ? true : `name ${v.trim()} is already used by ${owner}`;
        },
      })
    ).trim();
  }
  if (a.region === undefined) a.region = (await p.text({ message: "AWS region of the VPC", validate: (v) => judge("region", AWS.region, v.trim()) })).trim();
  if (a.vpcId === undefined) a.vpcId = (await p.text({ message: "VPC id the checker runs in", validate: (v) => judge("vpcId", AWS.vpcId, v.trim()) })).trim();
  if (a.subnetIds === undefined) {
    a.subnetIds = list(
      await p.text({
        message: "Private subnet ids for the checker, comma-separated (they need a route to Datadog and Secrets Manager)",
        validate: (v) => judge("subnetIds", AWS.subnetIds, list(v)),
      }),
    );
  }
  if (a.tags === undefined) {
    const problems: string[] = [];
    a.tags = parsePairs(
      "tag",
      list(
        await p.text({
          message: "AWS tags as key=value, comma-separated (empty: none)",
          validate: (v) => {
            const found: string[] = [];
            const pairs = parsePairs("tag", list(v), found);
            return found[0] ?? judge("tags", AWS.tags, pairs);
          },
        }),
      ),
      problems,
    );
  }
  if (a.backend === undefined) {
    const type = await p.select({
      message: "Terraform state",
      choices: [
        { value: "local" as const, name: "local", description: "terraform.tfstate next to the synthesized stack (default)" },
        { value: "s3" as const, name: "S3", description: "an S3 bucket with S3-native locking" },
      ],
      default: "local" as const,
    });
    if (type === "local") a.backend = { type: "local" };
    else {
      const s3 = FIELDS.backend.unwrap().options[1].shape;
      const bucket = (await p.text({ message: "S3 bucket for the state", validate: (v) => judge("bucket", s3.bucket, v.trim()) })).trim();
      const region = (await p.text({ message: "Region of the bucket (empty: the environment's region)", validate: (v) => (v.trim() === "" ? true : judge("region", s3.region, v.trim())) })).trim();
      a.backend = { type: "s3", bucket, ...(region !== "" ? { region } : {}) };
    }
  }

  const controllers: PartialControllerAnswer[] = [];
  const given = a.controllers ?? [];
  for (const g of given) controllers.push(await askController(p, g, controllers, ctx, controllers.length + 1));
  if (given.length === 0) {
    do {
      controllers.push(await askController(p, {}, controllers, ctx, controllers.length + 1));
    } while (await p.confirm({ message: "Add another controller?", default: false }));
  }
  a.controllers = controllers;

  if (a.site === undefined) {
    a.site = await p.select({
      message: "Datadog site",
      choices: Object.entries(DATADOG_SITES).map(([value, domain]) => ({ value, name: `${value} (${domain})` })),
      default: "US1",
    });
  }
  if (a.apiKeySecretArn === undefined) {
    a.apiKeySecretArn = (
      await p.text({
        message: "ARN of the secret with the Datadog API key (empty: the stack creates vpn-monitor/<env>/datadog-api-key)",
        validate: (v) => (v.trim() === "" ? true : judge("apiKeySecretArn", FIELDS.datadog.shape.apiKeySecretArn, v.trim())),
      })
    ).trim();
  }
  if (a.mode === undefined) {
    a.mode = await p.select({
      message: "Alert mode",
      choices: [
        { value: "simple", name: "simple", description: "one alert (one ticket) when any tunnel drops" },
        { value: "multi", name: "multi", description: "one alert (one ticket) per tunnel" },
      ],
      default: ONBOARD_DEFAULTS.mode,
    });
  }
  if (a.windowMinutes === undefined) {
    a.windowMinutes = await p.select({
      message: "Evaluation window (minutes): a single 0 inside it alerts",
      choices: MONITOR_WINDOWS_MINUTES.map((m) => ({ value: m as number, name: String(m) })),
      default: ONBOARD_DEFAULTS.windowMinutes,
    });
  }
  if (a.priority === undefined) {
    const priority = await p.select<number | "none">({
      message: "Monitor priority",
      choices: [{ value: "none" as const, name: "none" }, ...[1, 2, 3, 4, 5].map((n) => ({ value: n, name: `P${n}` }))],
      default: "none" as const,
    });
    if (priority !== "none") a.priority = priority;
  }
  if (a.message === undefined) {
    const message = await p.text({ message: "Extra text or @-mentions for the alert message (empty: none)", validate: (v) => judge("message", MONITOR.message, v) });
    if (message.trim() !== "") a.message = message.trim();
  }
  if (a.webhookUrl === undefined) {
    a.webhookUrl = (await p.text({ message: "Ticketing webhook URL (https://…)", validate: (v) => judge("webhookUrl", TICKETING.webhookUrl, v.trim()) })).trim();
  }
  if (a.webhookName === undefined) {
    const usedWebhooks = new Map(ctx.existing.loaded.map((e) => [e.definition.ticketing.webhookName ?? `vpn-tickets-${e.definition.name}`, e.file]));
    const name = (
      await p.text({
        message: "Datadog webhook name",
        default: `vpn-tickets-${a.name}`,
        validate: (v) => {
          const ok = judge("webhookName", TICKETING.webhookName, v.trim());
          if (ok !== true) return ok;
          const owner = usedWebhooks.get(v.trim());
          return owner === undefined ? true : `webhook name ${v.trim()} is already used by ${owner}`;
        },
      })
    ).trim();
    // The default is left out of the file: it follows the name if the file is ever copied.
    if (name !== `vpn-tickets-${a.name}`) a.webhookName = name;
  }
  if (a.secretVariables === undefined) {
    const usedVariables = new Map(ctx.existing.loaded.flatMap((e) => e.definition.ticketing.secretVariables.map((v) => [v, e.file] as const)));
    a.secretVariables = list(
      await p.text({
        message: "Secret webhook variables for ticketing tokens, UPPER_SNAKE_CASE, comma-separated (empty: none)",
        validate: (v) => {
          const ok = judge("secretVariables", TICKETING.secretVariables, list(v));
          if (ok !== true) return ok;
          const clash = list(v).find((name) => usedVariables.has(name));
          return clash === undefined ? true : `secret variable ${clash} is already used by ${usedVariables.get(clash)} (Datadog variables are global)`;
        },
      }),
    );
  }
  if (a.customHeaders === undefined) {
    const headers: Record<string, string> = {};
    const variables = a.secretVariables;
    if (variables.length > 0) {
      for (;;) {
        const entry = await p.text({
          message: `Request header as Name=value, e.g. Authorization=Bearer $${variables[0]} (empty: done)`,
          validate: (v) => {
            if (v.trim() === "") return true;
            const found: string[] = [];
            const pair = parsePairs("header", [v], found);
            if (found[0] !== undefined) return found[0];
            return judge("ticketing", FIELDS.ticketing, { webhookUrl: "https://example.com", secretVariables: variables, customHeaders: { ...headers, ...pair } });
          },
        });
        if (entry.trim() === "") break;
        Object.assign(headers, parsePairs("header", [entry], []));
      }
    }
    a.customHeaders = headers;
  }
  return a;
}
