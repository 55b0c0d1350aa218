/**
 * Real Terraform: each example stack's AWS resources go through `terraform init`, `validate` and
 * `plan`. Providers come from the filesystem mirror this machine carries (offline), or, under
 * `CI=true` without a mirror, from the Terraform registry (CI runners have a network).
 *
 * Where Terraform is missing, or the mirror is missing outside CI, the suite is a `describe.skip`
 * whose title and a printed line give the reason; nothing passes in its place. Whenever the plan
 * runs, a failing init, validate or plan fails the test, in CI and out of it.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { SynthesizedStack } from "../helpers/synth";
import { awsOnlyConfiguration, findAwsProviderMirror, findTerraform, offlineCliConfig, registryCliConfig } from "../helpers/terraform";
import { FIXTURE_ENVIRONMENTS } from "../helpers/fixture-environments";

const ROOT = path.resolve(__dirname, "../..");
const IN_CI = process.env.CI === "true";
const terraform = findTerraform();
const mirror = findAwsProviderMirror();

/** Where hashicorp/aws comes from, or why the plan cannot run here. */
const providerSource: { kind: "mirror"; root: string; awsVersion: string } | { kind: "registry" } | { kind: "none"; why: string } = mirror.ok
  ? { kind: "mirror", root: mirror.mirror.root, awsVersion: mirror.mirror.awsVersion }
  : IN_CI
    ? { kind: "registry" }
    : { kind: "none", why: `${mirror.why}; outside CI (CI=true) the plan runs offline only` };
const skipReason = !terraform.ok ? terraform.why : providerSource.kind === "none" ? providerSource.why : undefined;
if (skipReason !== undefined) console.warn(`terraform plan of the example stacks SKIPPED: ${skipReason}`);

/** Resources every example plans once: the AWS half of the stack, without the per-controller rules. */
const ONE_EACH = [
  "aws_cloudwatch_event_rule",
  "aws_cloudwatch_event_target",
  "aws_cloudwatch_log_group",
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_lambda_function",
  "aws_lambda_function_event_invoke_config",
  // The check run at deploy, before the monitors (stacks/constructs/checker-first-post.ts).
  "aws_lambda_invocation",
  "aws_lambda_permission",
  "aws_security_group",
];
/** Planned resources by type: egress is 443 plus one per controller group, ingress one per controller group. */
const planFor = (controllerGroups: number): Record<string, number> => ({
  ...Object.fromEntries(ONE_EACH.map((type) => [type, 1])),
  aws_vpc_security_group_egress_rule: 1 + controllerGroups,
  aws_vpc_security_group_ingress_rule: controllerGroups,
});
const EXPECTED_PLAN: Record<string, Record<string, number>> = {
  "vpn-monitor-example-simple": planFor(1),
  "vpn-monitor-example-multi": planFor(2),
};

const suite = skipReason === undefined ? describe : describe.skip;
const title =
  skipReason !== undefined
    ? `terraform validate and plan of the example stacks (SKIPPED: ${skipReason})`
    : `terraform ${terraform.ok ? terraform.version : ""} validate and plan, hashicorp/aws ${providerSource.kind === "mirror" ? `${providerSource.awsVersion} from ${providerSource.root}` : "from the registry (CI)"}`;

suite(title, () => {
  let work: string;
  let outDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "tf-plan-"));
    outDir = path.join(work, "cdktf.out");
    const cliConfig = path.join(work, "terraform.tfrc");
    mkdirSync(path.join(work, "plugin-cache"));
    const pluginCache = path.join(work, "plugin-cache");
    writeFileSync(cliConfig, providerSource.kind === "mirror" ? offlineCliConfig(providerSource.root, pluginCache) : registryCliConfig(pluginCache));
    env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_INPUT: "0", AWS_EC2_METADATA_DISABLED: "true" };
    const synth = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], { cwd: ROOT, env: { ...process.env, CDKTF_OUTDIR: outDir, VPN_MONITOR_ENVIRONMENTS_DIR: FIXTURE_ENVIRONMENTS }, encoding: "utf8" });
    if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
    if (providerSource.kind === "mirror") {
      console.log(`offline plan against hashicorp/aws ${providerSource.awsVersion} (the bindings pin a 6.x release; the constraint is pointed at the mirrored version)`);
    }
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const run = (cwd: string, args: string[]) => {
    const result = spawnSync("terraform", args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`terraform ${args.join(" ")} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };

  it.each(Object.keys(EXPECTED_PLAN))("%s initializes, validates and plans its AWS resources", (stackName) => {
    const stackDir = path.join(outDir, "stacks", stackName);
    const dir = path.join(work, stackName);
    cpSync(path.join(stackDir, "assets"), path.join(dir, "assets"), { recursive: true });
    const stack = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as SynthesizedStack;
    // Offline: the mirrored version; from the registry: the version the bindings were generated for.
    const awsVersion = providerSource.kind === "mirror" ? providerSource.awsVersion : String((stack.terraform.required_providers.aws as { version: string }).version);
    writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(awsOnlyConfiguration(stack, awsVersion), null, 2));

    run(dir, ["init", "-input=false", "-no-color"]);
    expect(JSON.parse(run(dir, ["validate", "-json", "-no-color"]))).toMatchObject({ valid: true, error_count: 0 });
    run(dir, ["plan", "-input=false", "-refresh=false", "-lock=false", "-no-color", "-out=plan.bin"]);
    const plan = JSON.parse(run(dir, ["show", "-json", "plan.bin"])) as { resource_changes: { type: string; change: { actions: string[] } }[] };

    const planned: Record<string, number> = {};
    for (const change of plan.resource_changes) {
      expect(change.change.actions).toEqual(["create"]);
      planned[change.type] = (planned[change.type] ?? 0) + 1;
    }
    expect(planned).toEqual(EXPECTED_PLAN[stackName]);
  });
});
