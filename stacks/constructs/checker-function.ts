/**
 * The checker Lambda with what it needs to run: its role (least privilege), its log group, and an
 * async-invoke configuration that never retries (a retried check is a stale check).
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { checkerEnvironment } from "../../contract/checker-env";
import type { EnvironmentDefinition } from "../environment/schema";
import { awsPartition, type ResourceNames } from "../../contract/names";

export interface CheckerFunctionProps {
  readonly env: EnvironmentDefinition;
  readonly names: ResourceNames;
  /** The zipped checker bundle. */
  readonly code: TerraformAsset;
  readonly securityGroupId: string;
  readonly controllerSecretArns: ReadonlyMap<string, string>;
  readonly datadogApiKeySecretArn: string;
  readonly readableSecretArns: readonly string[];
}

export class CheckerFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: CheckerFunctionProps) {
    super(scope, id);
    const { env, names } = props;
    const partition = awsPartition(env.aws.region);
    const ec2 = (resource: string) => `arn:${partition}:ec2:${env.aws.region}:*:${resource}`;

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: names.logGroup,
      retentionInDays: env.lambda.logRetentionDays,
    });

    this.role = new IamRole(this, "role", {
      name: names.role,
      description: `Runs the VPN tunnel checker of ${env.name}`,
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
          ...(env.aws.secretsKmsKeyArns?.length
            ? [
                {
                  // Secrets under a customer-managed key: decrypt through Secrets Manager only.
                  Sid: "DecryptListedSecrets",
                  Effect: "Allow",
                  Action: ["kms:Decrypt"],
                  Resource: env.aws.secretsKmsKeyArns,
                  Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${env.aws.region}.amazonaws.com` } },
                },
              ]
            : []),
          {
            // Lambda creates and removes the function's ENIs in the VPC with this role.
            Sid: "ManageOwnEnis",
            Effect: "Allow",
            Action: ["ec2:CreateNetworkInterface"],
            Resource: [ec2("network-interface/*"), ...env.aws.subnetIds.map((s) => ec2(`subnet/${s}`)), ec2(`security-group/${props.securityGroupId}`)],
          },
          {
            Sid: "ReleaseEnis",
            Effect: "Allow",
            Action: ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
            Resource: [ec2("network-interface/*")],
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
      description: `Reads the VNS3 IPsec tunnels of ${env.name} every minute and posts them to Datadog`,
      role: this.role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: props.code.path,
      sourceCodeHash: props.code.assetHash,
      memorySize: env.lambda.memoryMb,
      timeout: env.lambda.timeoutSeconds,
      // One check at a time: an overlapping run would double-post and double the controller logins.
      reservedConcurrentExecutions: 1,
      vpcConfig: { subnetIds: env.aws.subnetIds, securityGroupIds: [props.securityGroupId] },
      environment: {
        variables: {
          ...checkerEnvironment(env, { controllerSecretArns: props.controllerSecretArns, datadogApiKeySecretArn: props.datadogApiKeySecretArn }),
          NODE_OPTIONS: "--enable-source-maps",
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
