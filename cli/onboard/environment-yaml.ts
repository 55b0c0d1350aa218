/**
 * Renders an environment definition as YAML in the layout of the examples in environments/:
 * the schema's key order, one blank line between sections, and short comments where an operator
 * has to do something the file cannot (fill a secret, pin a certificate, pass a token at deploy).
 *
 * Hand-rendered rather than `yaml.stringify`d so the layout and comments are under our control;
 * callers re-parse the text and validate it, so a rendering bug cannot produce a wrong file.
 */
import { parse } from "yaml";
import type { EnvironmentInput } from "../../contract/definition/schema";
import { canonicalMode, MODE_DESCRIPTIONS } from "../shared/monitor-modes";
import { DEFAULT_VNS3_API_PORT } from "../../contract/vns3";
import { formatHostPort } from "../shared/host-port";
import { controllerSecretName, datadogSecretName } from "../shared/names";
import { planEnvironmentName, webhookSecretName } from "../../contract/github-setup";

/** Characters a plain (unquoted) YAML scalar may hold here; anything else is double-quoted. */
const PLAIN_SAFE = /^[A-Za-z0-9_./@+=-][A-Za-z0-9_./@+=:-]*$/;

/**
 * A string as a YAML scalar: plain when that reads back as the same string, else double-quoted
 * (JSON string syntax is valid YAML double-quoted syntax).
 */
export function yamlString(value: string, opts: { quote?: boolean } = {}): string {
  if (!opts.quote && PLAIN_SAFE.test(value) && !value.endsWith(":")) {
    try {
      if (parse(value) === value) return value;
    } catch {
      // not plain-safe after all: quote below
    }
  }
  return JSON.stringify(value);
}

/** The input this renderer writes: what `npm run onboard` collects, before schema defaults. */
export type RenderableEnvironment = EnvironmentInput & {
  aws: EnvironmentInput["aws"] & { tags?: Record<string, string> };
};

/** The comment line that says what the file's alert mode does, for every mode of the schema. */
export function modeLine(mode: string): string {
  const canonical = canonicalMode(mode);
  return canonical === undefined ? "" : `Alert mode ${canonical}: ${MODE_DESCRIPTIONS[canonical]}.`;
}

/** Renders `env` as the text of `environments/<name>.yaml`. */
export function renderEnvironmentYaml(env: RenderableEnvironment): string {
  const out: string[] = [];
  const line = (text: string) => out.push(text);
  const mode = env.monitor?.mode ?? "simple";

  line(`# Environment ${env.name}, written by \`npm run onboard\`; edit it by hand from here on.`);
  line(`# ${modeLine(mode)}`.trimEnd());
  line(`name: ${yamlString(env.name)}`);
  line("");

  line("aws:");
  line(`  region: ${yamlString(env.aws.region)}`);
  line(`  vpcId: ${yamlString(env.aws.vpcId)}`);
  line("  # Private subnets with a route to Datadog and Secrets Manager (NAT gateway or VPC endpoints).");
  line("  subnetIds:");
  for (const id of env.aws.subnetIds) line(`    - ${yamlString(id)}`);
  if (env.aws.assumeRoleArn !== undefined) line(`  assumeRoleArn: ${yamlString(env.aws.assumeRoleArn)}`);
  const tags = Object.entries(env.aws.tags ?? {});
  if (tags.length > 0) {
    line("  tags:");
    for (const [key, value] of tags) line(`    ${yamlString(key)}: ${yamlString(value)}`);
  }
  line("");

  if (env.backend === undefined || env.backend.type === "local") {
    line("# Terraform state stays on this machine: for trying things out only. The deploy workflow");
    line("# refuses local state; add  backend: {type: s3, bucket: <bucket>}  before the first merge.");
    line("");
  }
  if (env.backend !== undefined && env.backend.type === "s3") {
    line(`# State in S3${env.backend.dynamodbTable === undefined ? " with S3-native locking" : ""}.`);
    line("backend:");
    line("  type: s3");
    line(`  bucket: ${yamlString(env.backend.bucket)}`);
    if (env.backend.key !== undefined) line(`  key: ${yamlString(env.backend.key)}`);
    if (env.backend.region !== undefined) line(`  region: ${yamlString(env.backend.region)}`);
    if (env.backend.dynamodbTable !== undefined) line(`  dynamodbTable: ${yamlString(env.backend.dynamodbTable)}`);
    if (env.backend.kmsKeyId !== undefined) line(`  kmsKeyId: ${yamlString(env.backend.kmsKeyId)}`);
    line("");
  }

  line("controllers:");
  for (const c of env.controllers) {
    line(`  - name: ${yamlString(c.name)}`);
    line(`    host: ${yamlString(c.host)}`);
    if (c.port !== undefined) line(`    port: ${c.port}`);
    line(`    securityGroupId: ${yamlString(c.securityGroupId)}`);
    if (c.secretArn !== undefined) {
      line(`    secretArn: ${yamlString(c.secretArn)}`);
    } else {
      line(`    # No secretArn: the stack creates the secret ${controllerSecretName(env.name, c.name)};`);
      line(`    # fill it with {"username":"api","password":"…"} or {"apiToken":"…"}.`);
    }
    const target = c.port !== undefined && c.port !== DEFAULT_VNS3_API_PORT ? formatHostPort(c.host, c.port) : c.host;
    line(`    # Pin the controller's self-signed certificate: \`npm run fingerprint -- ${target}\``);
    line(`    tlsSha256: ${yamlString(c.tlsSha256, { quote: true })}`);
    if (c.credentialExpires !== undefined) {
      line("    # When its API token expires: vpn.controller.credential_days_left counts down to it.");
      line(`    credentialExpires: ${yamlString(c.credentialExpires, { quote: true })}`);
    }
  }
  line("");

  line("datadog:");
  line(`  site: ${yamlString(String(env.datadog.site))}`);
  if (env.datadog.organization !== undefined) {
    line("  # Names (webhook, variables) are unique within this organization; its own fleet overview shows it.");
    line(`  organization: ${yamlString(env.datadog.organization)}`);
  }
  if (env.datadog.apiKeySecretArn !== undefined) {
    line(`  apiKeySecretArn: ${yamlString(env.datadog.apiKeySecretArn)}`);
  } else {
    line(`  # No apiKeySecretArn: the stack creates the secret ${datadogSecretName(env.name)}; put the bare API key in it.`);
  }
  line("");

  const m = env.monitor ?? {};
  line("monitor:");
  line(`  mode: ${yamlString(mode)}`);
  if (m.windowMinutes !== undefined) line(`  windowMinutes: ${m.windowMinutes}`);
  if (m.priority !== undefined) line(`  priority: ${m.priority}`);
  if (m.renotifyIntervalMinutes !== undefined) line(`  renotifyIntervalMinutes: ${m.renotifyIntervalMinutes}`);
  if (m.message !== undefined) line(`  message: ${yamlString(m.message, { quote: true })}`);
  line("");

  const t = env.ticketing;
  line("ticketing:");
  line(`  webhookUrl: ${yamlString(t.webhookUrl)}`);
  if (t.webhookName !== undefined) line(`  webhookName: ${yamlString(t.webhookName)}`);
  if (t.payload !== undefined) line(`  payload: ${yamlString(t.payload, { quote: true })}`);
  const variables = t.secretVariables ?? [];
  if (variables.length > 0) {
    line("  # Values never go in this file: the deploy workflow passes them as sensitive Terraform variables");
    line(`  # from the secrets ${variables.map((v) => webhookSecretName(v)).join(", ")} of the GitHub environment ${planEnvironmentName(env.name)}.`);
    line("  secretVariables:");
    for (const v of variables) line(`    - ${yamlString(v)}`);
  }
  const headers = Object.entries(t.customHeaders ?? {});
  if (headers.length > 0) {
    line("  customHeaders:");
    for (const [name, value] of headers) line(`    ${yamlString(name)}: ${yamlString(value, { quote: true })}`);
  }
  return `${out.join("\n")}\n`;
}
