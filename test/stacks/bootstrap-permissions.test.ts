/**
 * The deploy role's permissions cover every resource type the stacks synthesize: the example
 * environments (the tests' copies) and the variants that add conditional resources (secrets the stack creates empty).
 * A stack that gains an `aws_*` type fails here until stacks/bootstrap/deploy-permissions.ts names
 * the IAM actions it needs.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { loadEnvironments } from "../../stacks/environment/load";
import { RESOURCE_PERMISSIONS, resourceStatements } from "../../stacks/bootstrap/deploy-permissions";
import { VpnMonitorStack } from "../../stacks/vpn-monitor-stack";
import { baseDefinition, synthEnvironment, type SynthesizedStack } from "../helpers/synth";
import { FIXTURE_ENVIRONMENTS } from "../helpers/fixture-environments";

const ROOT = path.resolve(__dirname, "../..");

function awsTypes(stack: SynthesizedStack): string[] {
  return [...Object.keys(stack.resource ?? {}), ...Object.keys((stack as { data?: Record<string, unknown> }).data ?? {})].filter((t) => t.startsWith("aws_"));
}

function synthesizedTypes(): Set<string> {
  const types = new Set<string>();
  for (const { definition } of loadEnvironments(FIXTURE_ENVIRONMENTS)) {
    const stack = new VpnMonitorStack(Testing.app(), { env: definition, lambdaPackageZip: path.join(ROOT, "package.json") });
    awsTypes(JSON.parse(Testing.synth(stack)) as SynthesizedStack).forEach((t) => types.add(t));
  }
  // Without secret ARNs the stack creates the controller and Datadog secrets itself.
  const base = baseDefinition();
  const withoutArns = baseDefinition({
    controllers: base.controllers.map(({ secretArn: _arn, ...c }) => c),
    datadog: { site: "EU" },
  });
  awsTypes(synthEnvironment(withoutArns)).forEach((t) => types.add(t));
  return types;
}

describe("deploy role permissions follow the synthesized resource types", () => {
  const types = synthesizedTypes();

  it("synthesizes the resource types it checks, the conditional secrets among them", () => {
    expect(types.has("aws_lambda_function")).toBe(true);
    expect(types.has("aws_secretsmanager_secret")).toBe(true);
  });

  it.each([...types].sort())("%s has IAM actions in the table", (type) => {
    expect(RESOURCE_PERMISSIONS[type]).toBeDefined();
  });

  it("has no row for a type no stack synthesizes (a stale grant)", () => {
    expect(Object.keys(RESOURCE_PERMISSIONS).sort()).toEqual([...types].sort());
  });

  it("gives the plan role only reads and the deploy role reads and writes, never a whole service", () => {
    const scope = { partition: "aws", account: "123456789012" };
    const planActions = resourceStatements("plan", scope).flatMap((s) => s.Action);
    expect(planActions.filter((a) => !/^[a-z0-9]+:(Get|List|Describe)[A-Za-z]*$/.test(a))).toEqual([]);
    const deploy = resourceStatements("deploy", scope);
    expect(deploy.flatMap((s) => s.Action).filter((a) => a.includes("*"))).toEqual([]);
    for (const row of Object.values(RESOURCE_PERMISSIONS)) for (const action of row.read) expect(deploy.flatMap((s) => s.Action)).toContain(action);
    // The checker roles only: never the bootstrap's github-vpn-monitor-* roles.
    expect(deploy.find((s) => s.Sid === "IamRole")?.Resource).toEqual(["arn:aws:iam::123456789012:role/vpn-monitor-*-checker"]);
    expect(deploy.find((s) => s.Sid === "PassCheckerRole")).toMatchObject({ Action: ["iam:PassRole"], Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } });
  });

  it("is the table docs/onboarding.md shows, row for row", () => {
    const docs = readFileSync(path.join(ROOT, "docs/onboarding.md"), "utf8");
    const scope = { partition: "aws", account: "<account>" };
    for (const [type, row] of Object.entries(RESOURCE_PERMISSIONS)) {
      const cells = [row.read, row.write].map((actions) => actions.map((a) => `\`${a}\``).join(", "));
      expect(docs).toContain(`| \`${type}\` | ${cells[0]} | ${cells[1]} | \`${row.resources(scope).join("`, `")}\` |\n`);
    }
  });

  it("throws naming the file to change for an unknown type", () => {
    expect(() => resourceStatements("deploy", { partition: "aws", account: "123456789012" }, ["aws_sns_topic"])).toThrow(
      "no IAM permissions known for aws_sns_topic: add it to stacks/bootstrap/deploy-permissions.ts",
    );
  });
});
