/**
 * Which bootstrap stacks a repository needs, from its definitions: one per AWS account that holds
 * state buckets. Pure (no cdktf): the bootstrap CLI prints it, the stack builds from it.
 *
 * An environment's account is the one its definition's own ARNs name (backend.kmsKeyId,
 * controllers[].secretArn, datadog.apiKeySecretArn, aws.secretsKmsKeyArns): where its stack's
 * resources, its state and so its deploy role live. `aws.assumeRoleArn` names a customer account
 * the provider hops into; it is not where the bucket and roles are, so it is not used here (the
 * deploy role gets `sts:AssumeRole` on it instead). A definition that names no account takes the
 * `--account` default; definitions with local state need no bootstrap and are listed as skipped.
 */
import { fleetGroups, fleetPlan } from "../fleet-groups";
import { awsPartition } from "../../contract/names";
import { isDeployTarget, type EnvironmentDefinition } from "../../contract/definition/schema";
import { BOOTSTRAP_STACK_ID } from "./names";

/** One state bucket of an account. */
export interface StateBucket {
  readonly name: string;
  readonly region: string;
}

export interface BootstrapAccount {
  readonly stackId: string;
  readonly account: string;
  readonly partition: string;
  /** Region of the stack's provider: the first bucket's. */
  readonly region: string;
  readonly buckets: readonly StateBucket[];
  /** Deploy targets whose state is in this account: environments, then fleet overviews. */
  readonly targets: readonly string[];
  /** The fleet overviews among them: their apply only writes their own state (a role of their own). */
  readonly fleets: readonly string[];
  /** Customer roles (aws.assumeRoleArn) the deploy and plan roles must be able to assume. */
  readonly assumeRoleArns: readonly string[];
}

export interface BootstrapLayout {
  readonly accounts: readonly BootstrapAccount[];
  /** `<name>: why` for every definition that needs no bootstrap (local state). */
  readonly skipped: readonly string[];
}

export class BootstrapDefinitionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "BootstrapDefinitionError";
  }
}

const ACCOUNT_IN_ARN = /^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/;
export const ACCOUNT_ID = /^\d{12}$/;

/** The accounts the definition's own ARNs name (not aws.assumeRoleArn). */
function accountsNamed(def: EnvironmentDefinition): Set<string> {
  const arns = [
    def.backend.type === "s3" ? def.backend.kmsKeyId : undefined,
    def.datadog.apiKeySecretArn,
    ...def.controllers.map((c) => c.secretArn),
    ...(def.aws.secretsKmsKeyArns ?? []),
  ];
  return new Set(arns.flatMap((arn) => (arn === undefined ? [] : [ACCOUNT_IN_ARN.exec(arn)?.[1] ?? []].flat())));
}

/**
 * Groups definitions (with the file label of each, for messages) into bootstrap stacks.
 * `defaultAccount` is used for definitions whose ARNs name no account.
 */
export function bootstrapLayout(environments: readonly { readonly label: string; readonly definition: EnvironmentDefinition }[], defaultAccount?: string): BootstrapLayout {
  const problems: string[] = [];
  const skipped: string[] = [];
  const byAccount = new Map<string, { buckets: Map<string, string>; targets: string[]; fleets: string[]; assumeRoleArns: Set<string>; region: string }>();
  const accountOf = new Map<string, string>();

  const sorted = [...environments].sort((a, b) => (a.definition.name < b.definition.name ? -1 : 1));
  for (const { label, definition: def } of sorted) {
    if (!isDeployTarget(def)) {
      skipped.push(`${def.name}: deploy: false (an example, never deployed), no deploy role to bootstrap`);
      continue;
    }
    if (def.backend.type !== "s3") {
      skipped.push(`${def.name}: local state (backend.type local), no bucket to bootstrap; onboard with --state-bucket to give it one`);
      continue;
    }
    const named = [...accountsNamed(def)].sort();
    if (named.length > 1) {
      problems.push(`${label}: its ARNs name ${named.length} AWS accounts (${named.join(", ")}); the state, the stack and its deploy role must be in one`);
      continue;
    }
    const account = named[0] ?? defaultAccount;
    if (account === undefined) {
      problems.push(`${label}: no ARN in the definition names its AWS account; give --account <12-digit account id>`);
      continue;
    }
    accountOf.set(def.name, account);
    const region = def.backend.region ?? def.aws.region;
    const group = byAccount.get(account) ?? { buckets: new Map<string, string>(), targets: [], fleets: [], assumeRoleArns: new Set<string>(), region };
    const knownRegion = group.buckets.get(def.backend.bucket);
    if (knownRegion !== undefined && knownRegion !== region) {
      problems.push(`${label}: backend.bucket "${def.backend.bucket}" is in ${knownRegion} for another definition, here ${region}; a bucket has one region`);
      continue;
    }
    group.buckets.set(def.backend.bucket, region);
    group.targets.push(def.name);
    if (def.aws.assumeRoleArn !== undefined) group.assumeRoleArns.add(def.aws.assumeRoleArn);
    byAccount.set(account, group);
  }
  // A fleet overview's state follows its plan (stacks/fleet-groups.ts): its targets join that account.
  const s3Environments = sorted.map((e) => e.definition).filter((d) => accountOf.has(d.name));
  for (const fleet of fleetGroups(sorted.map((e) => e.definition))) {
    const plan = fleetPlan(fleet.environments, fleet.stackId);
    if (plan.backend.type !== "s3") continue;
    const bucket = plan.backend.bucket;
    const owner = s3Environments.find((d) => d.backend.type === "s3" && d.backend.bucket === bucket);
    const account = owner === undefined ? undefined : accountOf.get(owner.name);
    if (account !== undefined) {
      const target = fleet.stackId.replace(/^vpn-monitor-/, "");
      byAccount.get(account)!.targets.push(target);
      byAccount.get(account)!.fleets.push(target);
    }
  }
  const bucketClaims = new Map<string, string>();
  for (const [account, group] of byAccount) {
    for (const bucket of group.buckets.keys()) {
      const other = bucketClaims.get(bucket);
      if (other !== undefined) problems.push(`backend.bucket "${bucket}" is named by definitions of accounts ${other} and ${account}; a bucket lives in one account`);
      bucketClaims.set(bucket, account);
    }
  }
  if (problems.length > 0) throw new BootstrapDefinitionError(problems);

  const accounts = [...byAccount.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([account, group]): BootstrapAccount => ({
      stackId: byAccount.size === 1 ? BOOTSTRAP_STACK_ID : `${BOOTSTRAP_STACK_ID}-${account}`,
      account,
      partition: awsPartition(group.region),
      region: group.region,
      buckets: [...group.buckets.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, region]) => ({ name, region })),
      targets: group.targets,
      fleets: group.fleets,
      assumeRoleArns: [...group.assumeRoleArns].sort(),
    }));
  return { accounts, skipped };
}
