/**
 * The push path's shared facts (docs/push.md): the events VNS3 publishes and the one name of an
 * environment's webhook and alert. The definition's schema, `npm run alerts`, the checker's
 * push-status read and the event monitors all use these.
 */

/**
 * The alert events a VNS3 controller publishes (`GET /api/alert_events`, 4.9.1+): Cohesive's
 * OpenAPI description (cohesive/cohesivenet-client-go, cohesivenet/api/openapi.yaml, schema
 * `AlertEventTypesListResponse`) and the `events` list of the Terraform provider's `vns3_alert`
 * docs (cohesive/terraform-provider-cohesivenet), which adds the `wg_*` and `fwset_dns_update` ones.
 */
export const VNS3_ALERT_EVENTS = [
  "tunnel_up",
  "tunnel_down",
  "process_change",
  "user_password_change",
  "controller_reboot",
  "controller_reset_defaults",
  "system_general",
  "clientpack_up",
  "clientpack_down",
  "bgp_session_up",
  "bgp_session_down",
  "wg_tunnel_up",
  "wg_tunnel_down",
  "fwset_dns_update",
] as const;
export type Vns3AlertEvent = (typeof VNS3_ALERT_EVENTS)[number];

/** What the event monitors read: pushed unless the definition says otherwise. */
export const DEFAULT_PUSH_EVENTS: readonly Vns3AlertEvent[] = ["tunnel_up", "tunnel_down", "bgp_session_up", "bgp_session_down", "controller_reboot"];

/** The one name of this environment's webhook and alert on every controller. */
export function pushResourceName(environment: string): string {
  return `vpn-monitor-${environment}`;
}

/** Datadog monitor names of the push path. */
export function pushMonitorNames(environment: string): { readonly bgpSessionDown: string; readonly controllerReboot: string } {
  return { bgpSessionDown: `VNS3 BGP session down: ${environment}`, controllerReboot: `VNS3 controller rebooted: ${environment}` };
}
