/**
 * `vpn-monitor-bootstrap`: what one AWS account needs before its environments' first deploy. The
 * state buckets of its definitions (stacks/bootstrap/state-bucket.ts), GitHub's OIDC provider, the
 * plan role (reads what plan and drift refresh, and the state) and the deploy role (least
 * privilege over the resource types the stacks synthesize, stacks/bootstrap/deploy-permissions.ts,
 * and the state), each trusting exactly the GitHub environments of the account's targets.
 *
 * Its own state: local for the very first apply (`localState`), which creates the bucket; then in
 * that bucket (`vpn-monitor/bootstrap.tfstate`) after `terraform init -migrate-state`, so later
 * changes go through review and plan like every stack.
 */
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { BootstrapAccount } from "./accounts";
import { resourceStatements, type PolicyStatement } from "./deploy-permissions";
import { GitHubRole } from "./github-role";
import { DEPLOY_ROLE_NAME, FLEET_STATE_ROLE_NAME, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, PLAN_ROLE_NAME, STATE_KEY_PREFIX } from "./names";
import { StateBucket } from "./state-bucket";
import { deploySubjects, planSubjects } from "./trust";

export interface BootstrapStackProps {
  readonly account: BootstrapAccount;
  /** `owner/repo` whose workflows deploy. */
  readonly repository: string;
  /** The account already has GitHub's OIDC provider (one per URL per account): reference it, do not create it. */
  readonly existingOidcProvider?: boolean;
  /** Keep this stack's state on disk: the first apply, before the bucket exists. */
  readonly localState?: boolean;
  /** Where, relative to the synthesized stack's folder. @default `../../../terraform.<stack>.tfstate` (the project root from cdktf.out/stacks/<stack>) */
  readonly localStatePath?: string;
}

const TAGS = { "managed-by": "vpn-monitor-bootstrap" } as const;

export class BootstrapStack extends TerraformStack {
  readonly stateBuckets: StateBucket[] = [];
  readonly planRole: GitHubRole;
  readonly deployRole: GitHubRole;
  readonly fleetStateRole: GitHubRole | undefined;

  constructor(scope: Construct, props: BootstrapStackProps) {
    const { account } = props;
    super(scope, account.stackId);
    const first = account.buckets[0]!;
    if (props.localState) new LocalBackend(this, { path: props.localStatePath ?? `../../../terraform.${account.stackId}.tfstate` });
    else {
      new S3Backend(this, { bucket: first.name, key: `${STATE_KEY_PREFIX}${account.stackId.replace(/^vpn-monitor-/, "")}.tfstate`, region: first.region, encrypt: true });
      this.addOverride("terraform.backend.s3.use_lockfile", true);
    }
    // The account is named, not looked up: a plan needs no sts:GetCallerIdentity, and applying with
    // another account's credentials fails instead of bootstrapping the wrong one.
    new AwsProvider(this, "aws", { region: account.region, allowedAccountIds: [account.account] });
    const regional = new Map<string, AwsProvider>();
    const providerFor = (region: string): AwsProvider | undefined => {
      if (region === account.region) return undefined;
      if (!regional.has(region)) regional.set(region, new AwsProvider(this, `aws-${region}`, { region, alias: region, allowedAccountIds: [account.account] }));
      return regional.get(region);
    };
    for (const bucket of account.buckets) {
      const provider = providerFor(bucket.region);
      this.stateBuckets.push(new StateBucket(this, `state-${bucket.name}`, { bucket: bucket.name, account: account.account, partition: account.partition, tags: TAGS, ...(provider ? { provider } : {}) }));
    }

    const oidcArn = `arn:${account.partition}:iam::${account.account}:oidc-provider/${GITHUB_OIDC_HOST}`;
    const oidc = props.existingOidcProvider ? undefined : new IamOpenidConnectProvider(this, "github-oidc", { url: `https://${GITHUB_OIDC_HOST}`, clientIdList: [GITHUB_OIDC_AUDIENCE], tags: TAGS });
    const oidcProviderArn = oidc?.arn ?? oidcArn;

    const scope_ = { partition: account.partition, account: account.account };
    const bucketArns = account.buckets.map((b) => `arn:${account.partition}:s3:::${b.name}`);
    const stateObjects = bucketArns.map((arn) => `${arn}/${STATE_KEY_PREFIX}*`);
    const keyArns = this.stateBuckets.map((b) => b.key.arn);
    const assume: PolicyStatement[] = account.assumeRoleArns.length === 0 ? [] : [{ Sid: "AssumeCustomerRoles", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: [...account.assumeRoleArns] }];
    const trust = { repository: props.repository, targets: account.targets };

    this.planRole = new GitHubRole(this, "plan-role", {
      name: PLAN_ROLE_NAME,
      description: "vpn-monitor plans and drift checks: reads what Terraform refreshes and the state; writes nothing",
      oidcProviderArn,
      subjects: planSubjects(trust),
      statements: [
        ...resourceStatements("plan", scope_),
        { Sid: "ListStateBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArns },
        { Sid: "ReadState", Effect: "Allow", Action: ["s3:GetObject"], Resource: stateObjects },
        { Sid: "DecryptState", Effect: "Allow", Action: ["kms:Decrypt"], Resource: keyArns },
        ...assume,
      ],
      tags: TAGS,
    });
    this.deployRole = new GitHubRole(this, "deploy-role", {
      name: DEPLOY_ROLE_NAME,
      description: "vpn-monitor applies of approved plans: the environment stacks' resources and the state",
      oidcProviderArn,
      subjects: deploySubjects({ ...trust, targets: account.targets.filter((t) => !account.fleets.includes(t)) }),
      statements: [
        ...resourceStatements("deploy", scope_),
        { Sid: "ListStateBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArns },
        { Sid: "ReadWriteState", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: stateObjects },
        { Sid: "StateLockFiles", Effect: "Allow", Action: ["s3:DeleteObject"], Resource: bucketArns.map((arn) => `${arn}/${STATE_KEY_PREFIX}*.tflock`) },
        { Sid: "EncryptState", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource: keyArns },
        ...assume,
      ],
      tags: TAGS,
    });
    // The fleet overviews' apply: their own state objects (and lock files) and the state keys, nothing else.
    const fleetKeys = account.fleets.map((fleet) => `${STATE_KEY_PREFIX}${fleet}.tfstate`);
    this.fleetStateRole =
      account.fleets.length === 0
        ? undefined
        : new GitHubRole(this, "fleet-state-role", {
            name: FLEET_STATE_ROLE_NAME,
            description: "vpn-monitor fleet overview applies: their own state only (the fleet stacks have no AWS resources)",
            oidcProviderArn,
            subjects: deploySubjects({ ...trust, targets: account.fleets }),
            statements: [
              { Sid: "ListStateBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArns },
              { Sid: "ReadWriteFleetState", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: bucketArns.flatMap((arn) => fleetKeys.map((key) => `${arn}/${key}`)) },
              { Sid: "FleetStateLockFiles", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: bucketArns.flatMap((arn) => fleetKeys.map((key) => `${arn}/${key}.tflock`)) },
              { Sid: "EncryptState", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource: keyArns },
            ],
            tags: TAGS,
          });
    // No role trusts pull requests: their check needs no credential (terraform validate, docs/review.md).
    for (const role of [this.planRole, this.deployRole, this.fleetStateRole]) if (oidc && role) role.node.addDependency(oidc);

    new TerraformOutput(this, "plan_role_arn", { value: this.planRole.role.arn, description: "repository variable AWS_PLAN_ROLE_ARN" });
    new TerraformOutput(this, "deploy_role_arn", { value: this.deployRole.role.arn, description: "variable AWS_ROLE_ARN of each protected GitHub environment" });
    if (this.fleetStateRole) new TerraformOutput(this, "fleet_state_role_arn", { value: this.fleetStateRole.role.arn, description: "variable AWS_ROLE_ARN of each fleet overview's protected environment" });
    this.stateBuckets.forEach((b, i) => new TerraformOutput(this, `state_kms_key_arn_${i}`, { value: b.key.arn, description: `npm run onboard -- --state-kms-key for s3://${account.buckets[i]!.name}` }));
  }
}
