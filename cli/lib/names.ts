/**
 * Names the CLIs share with the stack and with each other: the secrets the stack creates when a
 * definition names none, and the local credential variables of `npm run check`.
 */

/** Secret the stack creates for a controller without `secretArn` (contract with stacks/). */
export function controllerSecretName(environment: string, controller: string): string {
  return `vpn-monitor/${environment}/${controller}`;
}

/** Secret the stack creates for the Datadog API key without `apiKeySecretArn` (contract with stacks/). */
export function datadogSecretName(environment: string): string {
  return `vpn-monitor/${environment}/datadog-api-key`;
}

/** `VNS3_<CONTROLLER>_` prefix of a controller's local credential variables (`vns3-a` → `VNS3_VNS3_A_`). */
export function controllerEnvPrefix(controller: string): string {
  return `VNS3_${controller.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_`;
}

/** The stack of an environment (contract with main.ts). */
export function stackName(environment: string): string {
  return `vpn-monitor-${environment}`;
}
