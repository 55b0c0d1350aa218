/**
 * What the checker sends and what the monitors, dashboards and CLIs read: metric names, tag keys
 * and the closed set of reasons. The one place these strings are written (docs/checker.md).
 */

/** Metric names. Every one is a gauge. */
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
} as const;

/** Tag keys. */
export const TAG_KEYS = {
  environment: "vpn_environment",
  controller: "controller",
  tunnel: "tunnel",
  tunnelId: "tunnel_id",
  endpoint: "endpoint",
  reason: "reason",
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
