/**
 * Every cloud resource name comes from here, so that a reader (and `npm run review`) finds one
 * rule per name, and the CLIs that print next steps name the same things the stack creates.
 */
import type { ControllerDefinition, EnvironmentDefinition } from "./definition/schema";

/** Names of one environment's resources. */
export interface ResourceNames {
  /** CDKTF stack id, also the deploy target: `npx cdktf deploy vpn-monitor-<name>`. */
  readonly stack: string;
  /** Lambda function, IAM role, security group and schedule rule share this prefix. */
  readonly function: string;
  readonly role: string;
  readonly logGroup: string;
  readonly securityGroup: string;
  readonly scheduleRule: string;
  readonly webhook: string;
  readonly tunnelMonitor: string;
  readonly controllerMonitor: string;
  /** The ungrouped monitor that pages when the checker stops posting. */
  readonly checkerMonitor: string;
  /** Secrets Manager names the stack creates when the definition gives no ARN. */
  readonly controllerSecret: (controller: Pick<ControllerDefinition, "name">) => string;
  readonly datadogApiKeySecret: string;
  /** Sensitive Terraform variable that feeds one webhook secret custom variable. */
  readonly webhookSecretVariable: (customVariable: string) => string;
}

/**
 * Stack id of the fleet overview, also its deploy target: `vpn-monitor-fleet`, or, when the
 * environments use several Datadog organizations, `vpn-monitor-fleet-<site>` for a site's unnamed
 * organization and `vpn-monitor-fleet-<site>-<organization>` for a named one (stacks/fleet-groups.ts).
 */
export const FLEET_STACK_ID = "vpn-monitor-fleet";

/**
 * The Datadog organization an environment's resources live in: its site and, when the definition
 * names one, `datadog.organization`. Webhook and custom-variable names are unique within an
 * organization, and one fleet overview shows one organization. `eu` or `eu/acme`.
 */
export function datadogOrganizationKey(datadog: { readonly site: string; readonly organization?: string | undefined }): string {
  const site = datadog.site.toLowerCase();
  return datadog.organization === undefined ? site : `${site}/${datadog.organization}`;
}

/** The Datadog webhook an environment's monitors mention when the definition names none. */
export function defaultWebhookName(environment: string): string {
  return `vpn-tickets-${environment}`;
}

export function resourceNames(env: Pick<EnvironmentDefinition, "name"> & { readonly ticketing: { readonly webhookName?: string | undefined } }): ResourceNames {
  const base = `vpn-monitor-${env.name}`;
  return {
    stack: base,
    function: `${base}-checker`,
    role: `${base}-checker`,
    logGroup: `/aws/lambda/${base}-checker`,
    securityGroup: `${base}-checker`,
    scheduleRule: `${base}-every-minute`,
    webhook: env.ticketing.webhookName ?? defaultWebhookName(env.name),
    tunnelMonitor: `VPN tunnel down: ${env.name}`,
    controllerMonitor: `VNS3 controller unreadable: ${env.name}`,
    checkerMonitor: `VPN checker silent: ${env.name}`,
    controllerSecret: (controller) => `vpn-monitor/${env.name}/${controller.name}`,
    datadogApiKeySecret: `vpn-monitor/${env.name}/datadog-api-key`,
    webhookSecretVariable: (customVariable) => `webhook_secret_${customVariable}`,
  };
}

/** AWS partition of a region, for ARNs built without an API call (the offline plan makes none). */
export function awsPartition(region: string): "aws" | "aws-us-gov" | "aws-cn" {
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("cn-")) return "aws-cn";
  return "aws";
}
