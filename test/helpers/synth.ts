/**
 * Synthesizes one stack in-process from a definition, for fine-grained assertions on the resources.
 * The Lambda code is a stand-in file: these tests look at the resources, not the bundle.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { validateEnvironment } from "../../stacks/environment/load";
import type { EnvironmentInput } from "../../contract/definition/schema";
import { VpnMonitorStack } from "../../stacks/vpn-monitor-stack";

let packageZip: string | undefined;
function lambdaPackageStandIn(): string {
  if (packageZip === undefined) {
    packageZip = path.join(mkdtempSync(path.join(tmpdir(), "lambda-package-")), "checker.zip");
    writeFileSync(packageZip, "stand-in for the zipped bundle");
  }
  return packageZip;
}

/** The parsed cdk.tf.json of one stack. */
export interface SynthesizedStack {
  readonly terraform: { backend: Record<string, Record<string, unknown>>; required_providers: Record<string, unknown> };
  readonly provider: Record<string, Record<string, unknown>[]>;
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly variable?: Record<string, Record<string, unknown>>;
  readonly output: Record<string, Record<string, unknown>>;
}

/** The stack object of a definition, before synth. */
export function buildStack(input: EnvironmentInput): VpnMonitorStack {
  const validated = validateEnvironment("test", input);
  if (!validated.ok) throw new Error(validated.problems.join("\n"));
  return new VpnMonitorStack(Testing.app(), { env: validated.definition, lambdaPackageZip: lambdaPackageStandIn() });
}

export function synthEnvironment(input: EnvironmentInput): SynthesizedStack {
  return JSON.parse(Testing.synth(buildStack(input))) as SynthesizedStack;
}

/** All resources of one type, without cdktf's metadata. */
export function resourcesOf(stack: SynthesizedStack, type: string): Record<string, unknown>[] {
  return Object.values(stack.resource[type] ?? {}).map(({ "//": _metadata, ...rest }) => rest);
}

/** The one resource of a type; fails when there are none or several. */
export function onlyResource(stack: SynthesizedStack, type: string): Record<string, unknown> {
  const all = resourcesOf(stack, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]!;
}

/** The Terraform address (`type.name`) of the one resource of a type, as references write it. */
export function addressOf(stack: SynthesizedStack, type: string): string {
  const names = Object.keys(stack.resource[type] ?? {});
  if (names.length !== 1) throw new Error(`expected one ${type}, found ${names.length}`);
  return `${type}.${names[0]}`;
}

const FINGERPRINT = "3F:1A:9C:44:0B:7E:52:D1:8A:6C:E0:21:95:BB:47:0D:C8:F3:6E:19:A2:5D:73:08:E4:9B:31:CC:57:0A:F6:2E";

/** A valid definition to vary in tests. */
export function baseDefinition(overrides: Partial<EnvironmentInput> = {}): EnvironmentInput {
  return {
    name: "acme-prod",
    aws: { region: "eu-west-1", vpcId: "vpc-0a1b2c3d4e5f60718", subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"], tags: { customer: "acme" } },
    controllers: [
      {
        name: "vns3-a",
        host: "192.0.2.10",
        securityGroupId: "sg-0a1b2c3d4e5f60101",
        secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/acme-prod/vns3-a-AbCdEf",
        tlsSha256: FINGERPRINT,
      },
    ],
    datadog: { site: "EU", apiKeySecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/datadog-api-key-QwErTy" },
    ticketing: { webhookUrl: "https://tickets.example.com/api/datadog" },
    ...overrides,
  };
}
