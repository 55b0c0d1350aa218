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
import { AvailabilitySlo } from "./constructs/availability-slo";
import { EnvironmentDashboard } from "./constructs/environment-dashboard";
import { MaintenanceWindows } from "./constructs/maintenance-windows";
import { EnvironmentMonitors } from "./constructs/monitors";
import { SignalMonitors } from "./constructs/monitors/signal-monitors";
import { PushMonitors, pushTunnelEventsQuery } from "./constructs/push-monitors";
import { dashboardLink } from "./constructs/monitors/queries";
import { NetworkAccess } from "./constructs/network-access";
import { MinuteSchedule } from "./constructs/schedule";
import { CheckerFirstPost } from "./constructs/checker-first-post";
import { TicketWebhook } from "./constructs/ticket-webhook";
import { checkerEnvironment } from "../contract/checker-env";
import { datadogApiUrl } from "../contract/datadog-sites";
import { TAG_KEYS } from "../contract/metrics";
import { SIGNAL_GROUPS } from "../contract/signals";
import { resourceNames } from "../contract/names";
import { checkerMemoryMb, type EnvironmentDefinition } from "../contract/definition/schema";
import { terraformLiterals } from "./terraform-literal";

export interface VpnMonitorStackProps {
  /** The validated definition. */
  readonly env: EnvironmentDefinition;
  /** The checker's deployment package (zip), from buildLambdaPackage(). */
  readonly lambdaPackageZip: string;
}

export class VpnMonitorStack extends TerraformStack {
  /** The environment's monitors, for resources that refer to them (an SLO, a dashboard's alert widgets). */
  readonly monitors: EnvironmentMonitors;

  constructor(scope: Construct, props: VpnMonitorStackProps) {
    // Every string of the definition reaches cdk.tf.json as literal text, never as a Terraform expression.
    const env = terraformLiterals(props.env);
    const names = resourceNames(env);
    super(scope, names.stack);

    this.configureBackend(env);
    new AwsProvider(this, "aws", {
      region: env.aws.region,
      ...(env.aws.assumeRoleArn ? { assumeRole: [{ roleArn: env.aws.assumeRoleArn, sessionName: names.stack }] } : {}),
      defaultTags: [{ tags: { ...env.aws.tags, "managed-by": "cdktf", [TAG_KEYS.environment]: env.name } }],
    });
    // Credentials come from DD_API_KEY / DD_APP_KEY in the deployer's environment, never from here.
    new DatadogProvider(this, "datadog", { apiUrl: `${datadogApiUrl(env.datadog.site)}/` });

    const secrets = new CredentialSecrets(this, "secrets", {
      controllers: env.controllers,
      datadogApiKeySecretArn: env.datadog.apiKeySecretArn,
      names,
    });
    const network = new NetworkAccess(this, "network", {
      vpcId: env.aws.vpcId,
      securityGroupName: names.securityGroup,
      controllers: env.controllers,
    });
    const code = new TerraformAsset(this, "checker-code", { path: props.lambdaPackageZip, type: AssetType.FILE });
    const checker = new CheckerFunction(this, "checker", {
      environment: env.name,
      region: env.aws.region,
      vpcId: env.aws.vpcId,
      subnetIds: env.aws.subnetIds,
      securityGroupId: network.securityGroup.id,
      names,
      code,
      environmentVariables: checkerEnvironment(env, { controllerSecretArns: secrets.controllerSecretArns, datadogApiKeySecretArn: secrets.datadogApiKeySecretArn }),
      readableSecretArns: secrets.allSecretArns,
      secretsKmsKeyArns: env.aws.secretsKmsKeyArns,
      memoryMb: checkerMemoryMb(env),
      timeoutSeconds: env.lambda.timeoutSeconds,
      logRetentionDays: env.lambda.logRetentionDays,
      reservedConcurrency: env.lambda.reservedConcurrency,
    });
    new MinuteSchedule(this, "schedule", { ruleName: names.scheduleRule, target: checker.function });
    // The monitors come after one check that posted: none is relied on before a first point arrived.
    const firstPost = new CheckerFirstPost(this, "first-post", { checker: checker.function });

    const tickets = new TicketWebhook(this, "tickets", {
      environment: env.name,
      name: names.webhook,
      url: env.ticketing.webhookUrl,
      payload: env.ticketing.payload,
      secretVariables: env.ticketing.secretVariables,
      customHeaders: env.ticketing.customHeaders,
      names,
    });
    // The SLO and the dashboard come first: every monitor message links to the dashboard.
    const availability = new AvailabilitySlo(this, "availability", { environment: env.name, slo: env.slo, maintenance: env.maintenance });
    const dashboard = new EnvironmentDashboard(this, "dashboard", {
      environment: env.name,
      sloId: availability.slo.id,
      sloTimeframe: env.slo.timeframe,
      signalGroups: new Set(SIGNAL_GROUPS.filter((group) => env.signals[group].enabled)),
      healthThresholds: env.signals.health,
      ...(env.push.enabled ? { pushTunnelEvents: pushTunnelEventsQuery(env.name) } : {}),
    });
    const { monitor } = env;
    this.monitors = new EnvironmentMonitors(this, "monitors", {
      environment: env.name,
      names: { tunnel: names.tunnelMonitor, controller: names.controllerMonitor, checker: names.checkerMonitor },
      mode: monitor.mode,
      windowMinutes: monitor.windowMinutes,
      priority: monitor.priority,
      renotifyIntervalMinutes: monitor.renotifyIntervalMinutes,
      extraMessage: monitor.message,
      restrictedRoles: monitor.restrictedRoles,
      webhook: tickets.webhook,
      webhookName: names.webhook,
      checkerFunctionName: names.function,
      dashboardUrl: dashboardLink(env.datadog.site, dashboard.url),
      fallbackNotify: env.ticketing.fallbackNotify,
      afterFirstPost: firstPost.invocation,
    });
    // The signal groups' monitors (signals: in the definition); a group that is off has none.
    new SignalMonitors(this, "signal-monitors", {
      environment: env.name,
      mode: monitor.mode,
      signals: env.signals,
      priority: monitor.priority,
      extraMessage: monitor.message,
      fallbackNotify: env.ticketing.fallbackNotify,
      restrictedRoles: monitor.restrictedRoles,
      webhook: tickets.webhook,
      webhookName: names.webhook,
      dashboardUrl: dashboardLink(env.datadog.site, dashboard.url),
    });
    if (env.push.enabled) {
      new PushMonitors(this, "push-monitors", {
        environment: env.name,
        webhook: tickets.webhook,
        webhookName: names.webhook,
        fallbackNotify: env.ticketing.fallbackNotify,
        events: env.push.events,
        priority: monitor.priority,
        restrictedRoles: monitor.restrictedRoles,
      });
    }
    new MaintenanceWindows(this, "maintenance", { environment: env.name, windows: env.maintenance });

    Aspects.of(this).add(new NoOpenIngress());

    new TerraformOutput(this, "checker_function_name", { value: checker.function.functionName });
    new TerraformOutput(this, "tunnel_monitor_id", { value: this.monitors.tunnelMonitor.id });
    new TerraformOutput(this, "controller_monitor_id", { value: this.monitors.controllerMonitor.id });
    new TerraformOutput(this, "checker_monitor_id", { value: this.monitors.checkerMonitor.id });
    new TerraformOutput(this, "dashboard_url", { value: dashboardLink(env.datadog.site, dashboard.url) });
    new TerraformOutput(this, "slo_id", { value: availability.slo.id });
    new TerraformOutput(this, "secrets_to_fill", {
      value: secrets.createdSecretNames,
      description: "Secrets this stack created empty: put the credentials in them before the first check",
    });
  }

  /**
   * Local state unless the definition names an S3 bucket. S3 state is encrypted (SSE-KMS with
   * `kmsKeyId`, else the bucket's SSE-S3) and locked S3-natively unless a DynamoDB table is given.
   */
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
      // State holds the webhook's secret custom variable values: a customer-managed key limits who
      // can read it to those the key policy allows, on top of the bucket policy.
      ...(env.backend.kmsKeyId ? { kmsKeyId: env.backend.kmsKeyId } : {}),
      ...(env.backend.dynamodbTable ? { dynamodbTable: env.backend.dynamodbTable } : {}),
    });
    if (!env.backend.dynamodbTable) {
      // S3-native locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no property for it yet.
      this.addOverride("terraform.backend.s3.use_lockfile", true);
    }
  }
}
