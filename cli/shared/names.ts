/**
 * Names the CLIs share with the stack and with each other. The stack's names come from
 * contract/names.ts (the one naming function); only the local credential variables of
 * `npm run check` are the CLIs' own.
 */
import { resourceNames } from "../../contract/names";

const namesOf = (environment: string) => resourceNames({ name: environment, ticketing: {} });

/** Secret the stack creates for a controller without `secretArn`. */
export function controllerSecretName(environment: string, controller: string): string {
  return namesOf(environment).controllerSecret({ name: controller });
}

/** Secret the stack creates for the Datadog API key without `apiKeySecretArn`. */
export function datadogSecretName(environment: string): string {
  return namesOf(environment).datadogApiKeySecret;
}

/** `VNS3_<CONTROLLER>_` prefix of a controller's local credential variables (`vns3-a` → `VNS3_VNS3_A_`). */
export function controllerEnvPrefix(controller: string): string {
  return `VNS3_${controller.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_`;
}

/** The stack (and deploy target) of an environment. */
export function stackName(environment: string): string {
  return namesOf(environment).stack;
}
