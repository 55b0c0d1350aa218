/**
 * The Secrets Manager secrets the checker reads. A definition names existing secrets by ARN; where
 * it names none, the stack creates an empty secret for the operator to fill (the value never goes
 * through Terraform, so it never lands in state).
 */
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Construct } from "constructs";
import type { EnvironmentDefinition } from "../environment/schema";
import type { ResourceNames } from "../../contract/names";

export class CredentialSecrets extends Construct {
  /** Secret ARN (or a reference to the created secret's ARN) per controller name. */
  readonly controllerSecretArns: ReadonlyMap<string, string>;
  readonly datadogApiKeySecretArn: string;
  /** Every secret the checker may read: the IAM policy grants exactly these. */
  readonly allSecretArns: readonly string[];
  /** Names of the secrets this stack created, which the operator must fill before the first check. */
  readonly createdSecretNames: readonly string[];

  constructor(scope: Construct, id: string, env: EnvironmentDefinition, names: ResourceNames) {
    super(scope, id);
    const created: string[] = [];
    const createEmpty = (resourceId: string, name: string, description: string): string => {
      created.push(name);
      return new SecretsmanagerSecret(this, resourceId, { name, description }).arn;
    };

    const controllerArns = new Map<string, string>();
    for (const controller of env.controllers) {
      controllerArns.set(
        controller.name,
        controller.secretArn ??
          createEmpty(`controller-${controller.name}`, names.controllerSecret(controller), `VNS3 API credentials of ${controller.name}: {"username","password"} or {"apiToken"}`),
      );
    }
    this.controllerSecretArns = controllerArns;
    this.datadogApiKeySecretArn =
      env.datadog.apiKeySecretArn ?? createEmpty("datadog-api-key", names.datadogApiKeySecret, "Datadog API key the VPN tunnel checker posts with");
    this.allSecretArns = [...new Set([...controllerArns.values(), this.datadogApiKeySecretArn])];
    this.createdSecretNames = created;
  }
}
