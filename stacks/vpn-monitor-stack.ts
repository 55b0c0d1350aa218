/**
 * One environment definition → one stack: the checker Lambda and its schedule in the customer's
 * VPC, the network access to the controllers, and the Datadog monitors and ticket webhook.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { Aspects, AssetType, LocalBackend, S3Backend, TerraformAsset, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { NoOpenIngress } from "./aspects/no-open-ingress";
import { CheckerFunction } from "./constructs/checker-function";
import { CredentialSecrets } from "./constructs/credential-secrets";
import { TunnelMonitors } from "./constructs/monitors";
import { NetworkAccess } from "./constructs/network-access";
import { MinuteSchedule } from "./constructs/schedule";
import { TicketWebhook } from "./constructs/ticket-webhook";
import { datadogApiUrl } from "../contract/datadog-sites";
import { resourceNames } from "../contract/names";
import type { EnvironmentDefinition } from "./environment/schema";

export interface VpnMonitorStackProps {
  readonly env: EnvironmentDefinition;
  /** The checker's deployment package (zip), from buildLambdaPackage(). */
  readonly lambdaPackageZip: string;
}

export class VpnMonitorStack extends TerraformStack {
  constructor(scope: Construct, props: VpnMonitorStackProps) {
    const { env } = props;
    const names = resourceNames(env);
    super(scope, names.stack);

    this.configureBackend(env);
    new AwsProvider(this, "aws", {
      region: env.aws.region,
      ...(env.aws.assumeRoleArn ? { assumeRole: [{ roleArn: env.aws.assumeRoleArn, sessionName: names.stack }] } : {}),
      defaultTags: [{ tags: { ...env.aws.tags, "managed-by": "cdktf", vpn_environment: env.name } }],
    });
    // Credentials come from DD_API_KEY / DD_APP_KEY in the deployer's environment, never from here.
    new DatadogProvider(this, "datadog", { apiUrl: `${datadogApiUrl(env.datadog.site)}/` });

    const secrets = new CredentialSecrets(this, "secrets", env, names);
    const network = new NetworkAccess(this, "network", {
      vpcId: env.aws.vpcId,
      securityGroupName: names.securityGroup,
      controllers: env.controllers,
    });
    const code = new TerraformAsset(this, "checker-code", { path: props.lambdaPackageZip, type: AssetType.FILE });
    const checker = new CheckerFunction(this, "checker", {
      env,
      names,
      code,
      securityGroupId: network.securityGroup.id,
      controllerSecretArns: secrets.controllerSecretArns,
      datadogApiKeySecretArn: secrets.datadogApiKeySecretArn,
      readableSecretArns: secrets.allSecretArns,
    });
    new MinuteSchedule(this, "schedule", { ruleName: names.scheduleRule, target: checker.function });

    const tickets = new TicketWebhook(this, "tickets", env, names);
    const monitors = new TunnelMonitors(this, "monitors", { env, names, webhook: tickets.webhook, webhookName: names.webhook });

    Aspects.of(this).add(new NoOpenIngress());

    new TerraformOutput(this, "checker_function_name", { value: checker.function.functionName });
    new TerraformOutput(this, "tunnel_monitor_id", { value: monitors.tunnelMonitor.id });
    new TerraformOutput(this, "controller_monitor_id", { value: monitors.controllerMonitor.id });
    new TerraformOutput(this, "secrets_to_fill", {
      value: secrets.createdSecretNames,
      description: "Secrets this stack created empty: put the credentials in them before the first check",
    });
  }

  /** Local state unless the definition names an S3 bucket; S3 state is locked S3-natively by default. */
  private configureBackend(env: EnvironmentDefinition): void {
    if (env.backend.type !== "s3") {
      // Relative to the stack's directory (cdktf.out/stacks/<stack>): the project root, outside the
      // synth output, and the same on every machine and worktree (cdktf's default is absolute).
      new LocalBackend(this, { path: `../../../terraform.${this.node.id}.tfstate` });
      return;
    }
    new S3Backend(this, {
      bucket: env.backend.bucket,
      key: env.backend.key ?? `vpn-monitor/${env.name}.tfstate`,
      region: env.backend.region ?? env.aws.region,
      encrypt: true,
      ...(env.backend.dynamodbTable ? { dynamodbTable: env.backend.dynamodbTable } : {}),
    });
    if (!env.backend.dynamodbTable) {
      // S3-native locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no property for it yet.
      this.addOverride("terraform.backend.s3.use_lockfile", true);
    }
  }
}
