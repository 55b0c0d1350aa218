/**
 * Generates valid environment definitions at scale for the synth and review benchmarks. Each
 * environment gets two controllers in their own security groups and alternates monitor modes, so
 * the stacks look like real ones rather than 100 copies of the smallest case.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { EnvironmentInput } from "../contract/definition/schema";

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

export function generatedEnvironment(index: number): EnvironmentInput {
  const name = `bench-${String(index).padStart(3, "0")}`;
  const account = "123456789012";
  return {
    name,
    aws: {
      region: "eu-west-1",
      vpcId: `vpc-${hex(index, 17)}`,
      subnetIds: [`subnet-${hex(index * 2, 17)}`, `subnet-${hex(index * 2 + 1, 17)}`],
      tags: { customer: name },
    },
    controllers: [0, 1].map((c) => ({
      name: `vns3-${c === 0 ? "a" : "b"}`,
      host: `192.0.2.${(index % 120) * 2 + c + 1}`,
      securityGroupId: `sg-${hex(index * 2 + c, 17)}`,
      secretArn: `arn:aws:secretsmanager:eu-west-1:${account}:secret:vpn-monitor/${name}/vns3-${c}-AbCdEf`,
      tlsSha256: hex(index * 2 + c, 64),
    })),
    datadog: {
      site: "EU",
      apiKeySecretArn: `arn:aws:secretsmanager:eu-west-1:${account}:secret:vpn-monitor/datadog-api-key-QwErTy`,
    },
    monitor: { mode: index % 2 === 0 ? "simple" : "multi", windowMinutes: 5 },
    ticketing: { webhookUrl: "https://tickets.example.com/api/datadog" },
  };
}

/** Writes `count` definitions into `dir` (created if needed) and returns their file paths. */
export function writeGeneratedEnvironments(dir: string, count: number): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const definition = generatedEnvironment(i + 1);
    const file = path.join(dir, `${definition.name}.yaml`);
    writeFileSync(file, stringify(definition));
    return file;
  });
}
