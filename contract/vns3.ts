/** Facts about the VNS3 API that the checker, the stacks and the CLIs share (shared/reference/vns3-api.md). */

/** The VNS3 admin/API port; the security group rule admits it from the checker only. */
export const DEFAULT_VNS3_API_PORT = 8000;

/** The API user most controllers use for basic auth. */
export const DEFAULT_VNS3_API_USER = "api";

/**
 * The reads of a check (status endpoints only: never `/api/ipsec`, which holds pre-shared keys). `extended_output=true` is a query parameter of `getConnectedSubnets`
 * in Cohesive's OpenAPI description (default false): only then does each subnet carry its origin.
 */
export const VNS3_PATHS = {
  ipsecStatus: "/api/status/ipsec",
  connectedSubnets: "/api/status/connected_subnets?extended_output=true",
  /** Operation `getSystemStatus` (schema `SystemStatus`): uptime, diskinfo, meminfo, vns3_version. Best effort. */
  systemStatus: "/api/status/system",
} as const;
