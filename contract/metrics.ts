/**
 * What the checker sends and what the monitors, dashboards and CLIs read: metric names, tag keys
 * and the closed set of reasons. The one place these strings are written (docs/checker.md).
 */

/** Metric names. Gauges unless {@link COUNT_METRICS} lists them. */
export const METRICS = {
  /** 1 connected, 0 down, per enabled tunnel. */
  tunnelStatus: "vpn.tunnel.status",
  /** 1 per tunnel an administrator disabled; such a tunnel sends no status and never pages. */
  tunnelDisabled: "vpn.tunnel.disabled",
  /** 1 readable, 0 with a `reason` tag, per controller. */
  controllerUp: "vpn.controller.up",
  /** Subnets the controller carries that no tunnel's remote_subnet covers, per controller. */
  subnetUnmatched: "vpn.subnet.unmatched",
  /** Milliseconds one check took, per environment: the checker's own health. */
  checkDuration: "vpn.checker.duration_ms",
  /** Datadog delivery attempts of the previous check, per environment. */
  deliveryAttempts: "vpn.checker.delivery_attempts",
  /** 1 when the controller reports IKE phase 1 `up`, else 0, per enabled tunnel (tagged like status). */
  tunnelPhase1: "vpn.tunnel.phase1",
  /** 1 when the controller reports IPsec phase 2 `up`, else 0, per enabled tunnel. */
  tunnelPhase2: "vpn.tunnel.phase2",
  /** Count: inbound bytes since the previous check of the same SA (none on the first check after a cold start). */
  tunnelBytesIn: "vpn.tunnel.bytes_in",
  /** Count: outbound bytes since the previous check of the same SA. */
  tunnelBytesOut: "vpn.tunnel.bytes_out",
  /** Count: SAs replaced (SPI changed) while the old one still had more than two check intervals to live. */
  tunnelReestablished: "vpn.tunnel.reestablished",
  /** Seconds since the controller booted (`/api/status/system` `uptime`). */
  controllerUptime: "vpn.controller.uptime_seconds",
  /** Highest `use%` over the controller's mounts. */
  controllerDiskUsed: "vpn.controller.disk_used_pct",
  /** Highest `inode%` over the controller's mounts. */
  controllerInodeUsed: "vpn.controller.inode_used_pct",
  /** Memory in use, percent of total (`meminfo`). */
  controllerMemoryUsed: "vpn.controller.memory_used_pct",
  /** Days until the pinned certificate's `valid_to` (negative once expired). */
  controllerCertDaysLeft: "vpn.controller.cert_days_left",
  /** Days until the definition's `credentialExpires` for the controller's API credential. */
  controllerCredentialDaysLeft: "vpn.controller.credential_days_left",
  /** 1 when the controller's push alert for this environment exists and is enabled, else 0 (read every few checks). */
  controllerPushConfigured: "vpn.controller.push_configured",
} as const;

/** Metrics sent as Datadog `count` (intake type 1), not gauge. */
export const COUNT_METRICS = [METRICS.tunnelBytesIn, METRICS.tunnelBytesOut, METRICS.tunnelReestablished] as const;

/** Titles of events the checker sends; monitors and dashboards match on them. */
export const EVENT_TITLES = {
  /** Uptime went down between two checks of the same warm container. */
  controllerRebooted: "controller rebooted",
} as const;

/** Tag keys. */
export const TAG_KEYS = {
  environment: "vpn_environment",
  controller: "controller",
  tunnel: "tunnel",
  tunnelId: "tunnel_id",
  endpoint: "endpoint",
  reason: "reason",
  /** On `vpn.controller.up`: the controller's `vns3_version` from `/api/status/system`. */
  vns3Version: "vns3_version",
  /** On VNS3 push events: the alert event name (`tunnel_down`, `bgp_session_down`…). */
  event: "event",
} as const;

/**
 * Why a controller (or its subnet read) counts as down. A closed set, so the `reason` tag stays
 * bounded (every distinct tag set is a billed custom metric).
 */
export const DOWN_REASONS = [
  "refused", // TCP connection refused
  "timeout", // no answer inside the budget (connect, TLS or HTTP)
  "tls_pin_mismatch", // certificate fingerprint differs from tlsSha256
  "tls_error", // TLS handshake or CA/hostname verification failed
  "auth", // HTTP 401 / 403
  "http_error", // any other non-2xx status
  "bad_response", // 2xx but not the expected JSON, or larger than the body cap
  "dns", // host name did not resolve
  "credentials", // the controller's secret could not be read or has the wrong shape
  "network", // connection reset, unreachable, any other socket-level failure
] as const;

/** One of {@link DOWN_REASONS}. */
export type DownReason = (typeof DOWN_REASONS)[number];

/** `endpoint` tag value of a tunnel whose controller names no endpoint and gives no endpoint id. */
export const ENDPOINT_TAG_FALLBACK = "unnamed";

/**
 * The `endpoint` tag value of a tunnel without an endpoint name: `endpoint-<id>` when the
 * controller gives an endpoint id, else {@link ENDPOINT_TAG_FALLBACK}. Every tunnel series carries
 * an endpoint tag, so partner mode (grouped by endpoint) never skips a tunnel; the stacks' alert
 * preview uses the same function. Normalized as a tag by the caller.
 */
export function endpointFallbackTagValue(endpointId: string | undefined): string {
  return endpointId !== undefined && endpointId !== "" ? `endpoint-${endpointId}` : ENDPOINT_TAG_FALLBACK;
}
