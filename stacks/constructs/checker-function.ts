/**
 * The checker Lambda with what it needs to run: its role (least privilege), its log group, and an
 * async-invoke configuration that never retries (a retried check is a stale check).
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import type { TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { awsPartition, type ResourceNames } from "../../contract/names";
import { LAMBDA_NODE_RUNTIME } from "../../contract/node-version";

export interface CheckerFunctionProps {
  /** Environment name, for descriptions. */
  readonly environment: string;
  /** AWS region: ARNs in the policy are built from it, so a plan needs no call to AWS. */
  readonly region: string;
  /** The VPC of those subnets: the role may release network interfaces in it only. */
  readonly vpcId: string;
  /** Private subnets the function runs in. */
  readonly subnetIds: readonly string[];
  /** The checker's own security group. */
  readonly securityGroupId: string;
  /** Names of the function, its role and its log group. */
  readonly names: Pick<ResourceNames, "function" | "role" | "logGroup">;
  /** The zipped checker bundle. */
  readonly code: TerraformAsset;
  /** The checker's configuration (contract/checker-env.ts): locations of secrets, never a credential. */
  readonly environmentVariables: Readonly<Record<string, string>>;
  /** Every secret the checker may read (full ARNs or references to created secrets). */
  readonly readableSecretArns: readonly string[];
  /** Customer-managed KMS keys of those secrets, usable through Secrets Manager only. @default none */
  readonly secretsKmsKeyArns?: readonly string[] | undefined;
  /** @default 256 */
  readonly memoryMb?: number;
  /** Must end before the next minute's run. @default 50 */
  readonly timeoutSeconds?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** `reserved_concurrent_executions`. @default none: the function draws on the account's unreserved pool */
  readonly reservedConcurrency?: number | undefined;
}

export class CheckerFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: CheckerFunctionProps) {
    super(scope, id);
    const { names, region } = props;
    const partition = awsPartition(region);
    const ec2 = (resource: string) => `arn:${partition}:ec2:${region}:*:${resource}`;
    const kmsKeys = props.secretsKmsKeyArns ?? [];

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: names.logGroup,
      retentionInDays: props.logRetentionDays ?? 30,
    });

    this.role = new IamRole(this, "role", {
      name: names.role,
      description: `Runs the VPN tunnel checker of ${props.environment}`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    });

    const policy = new IamRolePolicy(this, "policy", {
      name: "checker",
      role: this.role.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "WriteOwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [`${this.logGroup.arn}:*`],
          },
          {
            Sid: "ReadListedSecrets",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue"],
            Resource: [...props.readableSecretArns],
          },
          ...(kmsKeys.length > 0
            ? [
                {
                  // Secrets under a customer-managed key: decrypt through Secrets Manager only.
                  Sid: "DecryptListedSecrets",
                  Effect: "Allow",
                  Action: ["kms:Decrypt"],
                  Resource: [...kmsKeys],
                  Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
                },
              ]
            : []),
          {
            // Lambda creates and removes the function's ENIs in the VPC with this role.
            Sid: "ManageOwnEnis",
            Effect: "Allow",
            Action: ["ec2:CreateNetworkInterface"],
            Resource: [ec2("network-interface/*"), ...props.subnetIds.map((s) => ec2(`subnet/${s}`)), ec2(`security-group/${props.securityGroupId}`)],
          },
          {
            // Only interfaces in the function's own VPC: without the condition the role could
            // delete or re-address any network interface in the region. ec2:Vpc, as AWS's own
            // managed policy SageMakerStudioProjectRoleMachineLearningPolicy scopes
            // ec2:DeleteNetworkInterface on network-interface/*; not ec2:Subnet, because after a
            // change of aws.subnetIds Lambda removes the interfaces in the old subnets with this
            // role, and a subnet condition would leave them behind. ArnLike: the account is "*".
            Sid: "ReleaseEnis",
            Effect: "Allow",
            Action: ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
            Resource: [ec2("network-interface/*")],
            Condition: { ArnLike: { "ec2:Vpc": ec2(`vpc/${props.vpcId}`) } },
          },
          {
            // Describe* calls support no resource-level permissions: "*" is the only valid resource.
            Sid: "DescribeEnis",
            Effect: "Allow",
            Action: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
            Resource: ["*"],
          },
        ],
      }),
    });

    this.function = new LambdaFunction(this, "function", {
      functionName: names.function,
      description: `Reads the VNS3 IPsec tunnels of ${props.environment} every minute and posts them to Datadog`,
      role: this.role.arn,
      runtime: LAMBDA_NODE_RUNTIME,
      architectures: ["arm64"],
      handler: "index.handler",
      filename: props.code.path,
      sourceCodeHash: props.code.assetHash,
      memorySize: props.memoryMb ?? 256,
      // Below the one-minute schedule, so a run ends before the next begins: that, not reserved
      // concurrency, is what keeps checks from overlapping.
      timeout: props.timeoutSeconds ?? 50,
      // Opt-in only: a reservation fails to deploy where the account's concurrency quota is small
      // (AWS keeps 100, or 10 on low-quota accounts, unreserved).
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      vpcConfig: { subnetIds: [...props.subnetIds], securityGroupIds: [props.securityGroupId] },
      environment: {
        variables: {
          ...props.environmentVariables,
          NODE_OPTIONS: "--enable-source-maps",
          // Fewer glibc malloc arenas: most of a large check's peak is native memory, and with two
          // arenas 4 × 5 MB answers peak at ~194 MB instead of ~221 MB (npm run bench, memory).
          MALLOC_ARENA_MAX: "2",
        },
      },
      // The log group must exist first, or Lambda creates an unmanaged one without retention.
      dependsOn: [this.logGroup, policy],
    });

    new LambdaFunctionEventInvokeConfig(this, "no-retries", {
      functionName: this.function.functionName,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 60,
    });
  }
}
