/**
 * The Secrets Manager secrets the checker reads. A definition names existing secrets by ARN; where
 * it names none, the stack creates an empty secret for the operator to fill (the value never goes
 * through Terraform, so it never lands in state).
 */
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Construct } from "constructs";
import type { ResourceNames } from "../../contract/names";

/** A controller as far as its credentials go. */
export interface ControllerCredentials {
  readonly name: string;
  /** Full ARN of an existing secret. @default a secret this construct creates, empty */
  readonly secretArn?: string | undefined;
}

export interface CredentialSecretsProps {
  /** The controllers whose API credentials the checker reads. */
  readonly controllers: readonly ControllerCredentials[];
  /** Full ARN of an existing secret holding the Datadog API key. @default a secret this construct creates, empty */
  readonly datadogApiKeySecretArn?: string | undefined;
  /** Names of the secrets to create where no ARN is given. */
  readonly names: Pick<ResourceNames, "controllerSecret" | "datadogApiKeySecret">;
}

export class CredentialSecrets extends Construct {
  /** Secret ARN (or a reference to the created secret's ARN) per controller name. */
  readonly controllerSecretArns: ReadonlyMap<string, string>;
  readonly datadogApiKeySecretArn: string;
  /** Every secret the checker may read: the IAM policy grants exactly these. */
  readonly allSecretArns: readonly string[];
  /** Names of the secrets this stack created, which the operator must fill before the first check. */
  readonly createdSecretNames: readonly string[];

  constructor(scope: Construct, id: string, props: CredentialSecretsProps) {
    super(scope, id);
    const created: string[] = [];
    const createEmpty = (resourceId: string, name: string, description: string): string => {
      created.push(name);
      return new SecretsmanagerSecret(this, resourceId, { name, description }).arn;
    };

    const controllerArns = new Map<string, string>();
    for (const controller of props.controllers) {
      controllerArns.set(
        controller.name,
        controller.secretArn ??
          createEmpty(`controller-${controller.name}`, props.names.controllerSecret(controller), `VNS3 API credentials of ${controller.name}: {"username","password"} or {"apiToken"}`),
      );
    }
    this.controllerSecretArns = controllerArns;
    this.datadogApiKeySecretArn =
      props.datadogApiKeySecretArn ?? createEmpty("datadog-api-key", props.names.datadogApiKeySecret, "Datadog API key the VPN tunnel checker posts with");
    this.allSecretArns = [...new Set([...controllerArns.values(), this.datadogApiKeySecretArn])];
    this.createdSecretNames = created;
  }
}
