/**
 * The bootstrap stack: grouping of definitions into accounts, what the stack synthesizes (bucket
 * hardening, key rotation, OIDC provider, exact trust subjects), and a real `terraform plan` of it
 * against the hashicorp/aws filesystem mirror when this machine has one (skipped with the reason
 * otherwise; under CI=true with Terraform present, a failing plan fails).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { BootstrapDefinitionError, bootstrapLayout } from "../../stacks/bootstrap/accounts";
import { BootstrapStack } from "../../stacks/bootstrap/bootstrap-stack";
import { validateEnvironment } from "../../stacks/environment/load";
import type { EnvironmentDefinition, EnvironmentInput } from "../../contract/definition/schema";
import { baseDefinition, type SynthesizedStack } from "../helpers/synth";
import { findAwsProviderMirror, findTerraform, offlineCliConfig, registryCliConfig } from "../helpers/terraform";

function definition(input: EnvironmentInput): EnvironmentDefinition {
  const result = validateEnvironment("test", input);
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.definition;
}

const ACCOUNT = "123456789012";
const acme = definition(baseDefinition({ backend: { type: "s3", bucket: "acme-vpn-state" }, ticketing: { webhookUrl: "https://tickets.example.com/api/datadog", secretVariables: ["TICKET_TOKEN"] } }));
const globex = definition({ ...baseDefinition({ name: "globex-prod", backend: { type: "s3", bucket: "acme-vpn-state" } }) });
const local = definition(baseDefinition({ name: "initech-dev" }));
const labelled = (defs: EnvironmentDefinition[]) => defs.map((d) => ({ label: `environments/${d.name}.yaml`, definition: d }));

describe("bootstrapLayout", () => {
  it("groups by the account the definitions' ARNs name, adds the fleet overview and skips local state", () => {
    const layout = bootstrapLayout(labelled([globex, local, acme]));
    expect(layout.accounts).toEqual([
      {
        stackId: "vpn-monitor-bootstrap",
        account: ACCOUNT,
        partition: "aws",
        region: "eu-west-1",
        buckets: [{ name: "acme-vpn-state", region: "eu-west-1" }],
        targets: ["acme-prod", "globex-prod", "fleet"],
        fleets: ["fleet"],
        assumeRoleArns: [],
      },
    ]);
    expect(layout.skipped).toEqual(["initech-dev: local state (backend.type local), no bucket to bootstrap; onboard with --state-bucket to give it one"]);
  });

  it("names one stack per account when there are several, and refuses a definition naming two accounts", () => {
    const other = definition(
      baseDefinition({
        name: "hooli-prod",
        backend: { type: "s3", bucket: "hooli-state" },
        controllers: [{ ...baseDefinition().controllers[0]!, secretArn: "arn:aws:secretsmanager:eu-west-1:210987654321:secret:vpn-monitor/hooli/vns3-a-AbCdEf" }],
        datadog: { site: "EU" },
      }),
    );
    // Two buckets on one Datadog site: acme-prod's holds the fleet overview's state (stacks/fleet-state.ts).
    const acmeHoldsFleet = definition({ ...baseDefinition({ backend: { type: "s3", bucket: "acme-vpn-state", fleet: true } }), ticketing: acme.ticketing });
    expect(bootstrapLayout(labelled([acmeHoldsFleet, other])).accounts.map((a) => [a.stackId, a.targets])).toEqual([
      ["vpn-monitor-bootstrap-123456789012", ["acme-prod", "fleet"]],
      ["vpn-monitor-bootstrap-210987654321", ["hooli-prod"]],
    ]);
    const mixed = definition(baseDefinition({ name: "mixed", backend: { type: "s3", bucket: "mixed-state" }, datadog: { site: "EU", apiKeySecretArn: "arn:aws:secretsmanager:eu-west-1:210987654321:secret:dd-AbCdEf" } }));
    expect(() => bootstrapLayout(labelled([mixed]))).toThrow(
      new BootstrapDefinitionError(["environments/mixed.yaml: its ARNs name 2 AWS accounts (123456789012, 210987654321); the state, the stack and its deploy role must be in one"]),
    );
  });

  it("asks for --account when no ARN names one", () => {
    const bare = definition(baseDefinition({ name: "bare", backend: { type: "s3", bucket: "bare-state" }, controllers: [{ ...baseDefinition().controllers[0]!, secretArn: undefined }], datadog: { site: "EU" } }));
    expect(() => bootstrapLayout(labelled([bare]))).toThrow("environments/bare.yaml: no ARN in the definition names its AWS account; give --account <12-digit account id>");
    expect(bootstrapLayout(labelled([bare]), "999999999999").accounts[0]?.account).toBe("999999999999");
  });
});

function synthBootstrap(options: { localState?: boolean; existingOidcProvider?: boolean } = {}): SynthesizedStack {
  const account = bootstrapLayout(labelled([acme, globex])).accounts[0]!;
  return JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), { account, repository: "acme/vpn-monitor", ...options }))) as SynthesizedStack;
}
const only = (stack: SynthesizedStack, type: string) => {
  const all = Object.values(stack.resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0] as Record<string, unknown>;
};
const roleNamed = (stack: SynthesizedStack, name: string) => Object.values(stack.resource.aws_iam_role!).find((r) => r.name === name) as Record<string, unknown>;

describe("BootstrapStack", () => {
  const stack = synthBootstrap();

  it("hardens the state bucket: versioning, SSE-KMS with a rotated key, no public access, TLS only", () => {
    expect(only(stack, "aws_s3_bucket")).toMatchObject({ bucket: "acme-vpn-state", lifecycle: { prevent_destroy: true } });
    expect(only(stack, "aws_s3_bucket_versioning")).toMatchObject({ versioning_configuration: { status: "Enabled" } });
    expect(only(stack, "aws_kms_key")).toMatchObject({ enable_key_rotation: true });
    expect(only(stack, "aws_kms_alias")).toMatchObject({ name: "alias/vpn-monitor-state" });
    expect(only(stack, "aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.[^.]+\.arn\}$/) }, bucket_key_enabled: true },
    ]);
    expect(only(stack, "aws_s3_bucket_public_access_block")).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(JSON.parse(only(stack, "aws_s3_bucket_policy").policy as string).Statement).toEqual([
      expect.objectContaining({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } }, Resource: ["arn:aws:s3:::acme-vpn-state", "arn:aws:s3:::acme-vpn-state/*"] }),
    ]);
    expect(stack.resource.aws_dynamodb_table).toBeUndefined();
  });

  it("keeps its own state in its bucket with S3-native locking, or on disk for the first apply", () => {
    expect(stack.terraform.backend).toEqual({ s3: { bucket: "acme-vpn-state", key: "vpn-monitor/bootstrap.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true } });
    expect(Object.keys(synthBootstrap({ localState: true }).terraform.backend)).toEqual(["local"]);
  });

  it("creates GitHub's OIDC provider for the sts.amazonaws.com audience", () => {
    expect(only(stack, "aws_iam_openid_connect_provider")).toMatchObject({ url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] });
  });

  it("trusts exact subjects: <name> for deploy, <name>_plan and main for plan, no pattern", () => {
    const trustOf = (name: string) => JSON.parse(roleNamed(stack, name).assume_role_policy as string).Statement[0].Condition;
    expect(trustOf("github-vpn-monitor-deploy")).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": ["repo:acme/vpn-monitor:environment:acme-prod", "repo:acme/vpn-monitor:environment:globex-prod"],
      },
    });
    expect(trustOf("github-vpn-monitor-fleet-state").StringEquals["token.actions.githubusercontent.com:sub"]).toEqual(["repo:acme/vpn-monitor:environment:fleet"]);
    expect(trustOf("github-vpn-monitor-plan").StringEquals["token.actions.githubusercontent.com:sub"]).toEqual([
      "repo:acme/vpn-monitor:environment:acme-prod_plan",
      "repo:acme/vpn-monitor:environment:fleet_plan",
      "repo:acme/vpn-monitor:environment:globex-prod_plan",
      "repo:acme/vpn-monitor:ref:refs/heads/main",
    ]);
    expect(roleNamed(stack, "github-vpn-monitor-pull-request")).toBeUndefined();
  });

  it.each([["with the OIDC provider", {}], ["with the account's existing OIDC provider", { existingOidcProvider: true }]] as const)(
    "makes exactly the plan, deploy and fleet state roles %s, none trusting pull requests (their check needs no credential)",
    (_label, options) => {
      const synthesized = synthBootstrap(options);
      const roles = Object.values(synthesized.resource.aws_iam_role!);
      expect(roles.map((r) => r.name).sort()).toEqual(["github-vpn-monitor-deploy", "github-vpn-monitor-fleet-state", "github-vpn-monitor-plan"]);
      const subjects = roles.flatMap((r) => JSON.parse(r.assume_role_policy as string).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] as string[]);
      expect(subjects.length).toBeGreaterThan(0);
      expect(subjects.filter((subject) => !/^repo:acme\/vpn-monitor:(environment:[a-z0-9_-]+|ref:refs\/heads\/main)$/.test(subject))).toEqual([]);
      expect(Object.keys(synthesized.output).filter((name) => name.endsWith("_role_arn")).sort()).toEqual(["deploy_role_arn", "fleet_state_role_arn", "plan_role_arn"]);
    },
  );

  it("lets the plan role read the state and the deploy role write it, lock files included", () => {
    const policies = Object.values(stack.resource.aws_iam_role_policy!).map((p) => JSON.parse(p.policy as string).Statement as { Sid: string; Action: string[]; Resource: string[] }[]);
    const [fleet, plan, deploy] = policies.sort((a, b) => a.length - b.length);
    expect(fleet).toEqual([
      { Sid: "ListStateBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: ["arn:aws:s3:::acme-vpn-state"] },
      { Sid: "ReadWriteFleetState", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["arn:aws:s3:::acme-vpn-state/vpn-monitor/fleet.tfstate"] },
      { Sid: "FleetStateLockFiles", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: ["arn:aws:s3:::acme-vpn-state/vpn-monitor/fleet.tfstate.tflock"] },
      { Sid: "EncryptState", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource: [expect.stringMatching(/^\$\{aws_kms_key\.[^.]+\.arn\}$/)] },
    ]);
    expect(plan!.find((s) => s.Sid === "ReadState")).toMatchObject({ Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::acme-vpn-state/vpn-monitor/*"] });
    expect(plan!.flatMap((s) => s.Action).filter((a) => /Put|Delete|Create|Update|Encrypt/.test(a))).toEqual([]);
    expect(deploy!.find((s) => s.Sid === "StateLockFiles")).toMatchObject({ Action: ["s3:DeleteObject"], Resource: ["arn:aws:s3:::acme-vpn-state/vpn-monitor/*.tflock"] });
    expect(deploy!.find((s) => s.Sid === "EncryptState")?.Action).toEqual(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]);
  });
});

const IN_CI = process.env.CI === "true";
const terraform = findTerraform();
const mirror = findAwsProviderMirror();
const skipReason = !terraform.ok ? terraform.why : !mirror.ok && !IN_CI ? `${mirror.why}; outside CI the plan runs offline only` : undefined;
if (skipReason !== undefined) console.warn(`terraform plan of the bootstrap stack SKIPPED: ${skipReason}`);
const planSuite = skipReason === undefined ? describe : describe.skip;

planSuite(`terraform plan of the bootstrap stack${skipReason ? ` (SKIPPED: ${skipReason})` : ""}`, () => {
  let work: string;
  afterAll(() => work && rmSync(work, { recursive: true, force: true }));

  it("initializes, validates and plans every resource as a create", () => {
    work = mkdtempSync(path.join(tmpdir(), "tf-bootstrap-"));
    mkdirSync(path.join(work, "cache"));
    const cli = path.join(work, "terraform.tfrc");
    writeFileSync(cli, mirror.ok ? offlineCliConfig(mirror.mirror.root, path.join(work, "cache")) : registryCliConfig(path.join(work, "cache")));
    const stack = synthBootstrap({ localState: true });
    const awsVersion = mirror.ok ? mirror.mirror.awsVersion : String((stack.terraform.required_providers.aws as { version: string }).version);
    const offline = { access_key: "offline-plan", secret_key: "offline-plan", skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true };
    const config = {
      terraform: { required_providers: { aws: { source: "hashicorp/aws", version: awsVersion } } },
      provider: { aws: stack.provider.aws!.map(({ allowed_account_ids: _ids, ...p }) => ({ ...p, ...offline })) },
      resource: stack.resource,
      output: stack.output,
    };
    writeFileSync(path.join(work, "main.tf.json"), JSON.stringify(config, null, 2));
    const env = { ...process.env, TF_CLI_CONFIG_FILE: cli, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_INPUT: "0", AWS_EC2_METADATA_DISABLED: "true" };
    const run = (args: string[]) => {
      const result = spawnSync("terraform", args, { cwd: work, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      if (result.status !== 0) throw new Error(`terraform ${args.join(" ")} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
      return result.stdout;
    };
    run(["init", "-input=false", "-no-color"]);
    expect(JSON.parse(run(["validate", "-json", "-no-color"]))).toMatchObject({ valid: true, error_count: 0 });
    run(["plan", "-input=false", "-refresh=false", "-lock=false", "-no-color", "-out=plan.bin"]);
    const plan = JSON.parse(run(["show", "-json", "plan.bin"])) as { resource_changes: { type: string; change: { actions: string[] } }[] };
    const planned: Record<string, number> = {};
    for (const change of plan.resource_changes) {
      expect(change.change.actions).toEqual(["create"]);
      planned[change.type] = (planned[change.type] ?? 0) + 1;
    }
    expect(planned).toEqual({
      aws_iam_openid_connect_provider: 1,
      aws_iam_role: 3,
      aws_iam_role_policy: 3,
      aws_kms_alias: 1,
      aws_kms_key: 1,
      aws_s3_bucket: 1,
      aws_s3_bucket_ownership_controls: 1,
      aws_s3_bucket_policy: 1,
      aws_s3_bucket_public_access_block: 1,
      aws_s3_bucket_server_side_encryption_configuration: 1,
      aws_s3_bucket_versioning: 1,
    });
  });
});
