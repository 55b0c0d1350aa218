/**
 * The Datadog webhook that opens a ticket. Credentials for the ticketing system never appear in the
 * definition or the synthesized JSON: each is a sensitive Terraform variable feeding a secret
 * webhook custom variable, which headers and payload reference as `$NAME`.
 */
import { Webhook } from "@cdktf/provider-datadog/lib/webhook";
import { WebhookCustomVariable } from "@cdktf/provider-datadog/lib/webhook-custom-variable";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import type { EnvironmentDefinition } from "../environment/schema";
import { defaultTicketPayload } from "../monitoring";
import type { ResourceNames } from "../../contract/names";

export class TicketWebhook extends Construct {
  readonly webhook: Webhook;

  constructor(scope: Construct, id: string, env: EnvironmentDefinition, names: ResourceNames) {
    super(scope, id);
    const secretVariables = env.ticketing.secretVariables.map((name) => {
      const value = new TerraformVariable(scope, names.webhookSecretVariable(name), {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `Value of the Datadog webhook variable $${name} (ticketing credential). Pass it as TF_VAR_${names.webhookSecretVariable(name)}.`,
      });
      return new WebhookCustomVariable(this, `variable-${name}`, { name, value: value.stringValue, isSecret: true });
    });

    const headers = env.ticketing.customHeaders;
    this.webhook = new Webhook(this, "webhook", {
      name: names.webhook,
      url: env.ticketing.webhookUrl,
      encodeAs: "json",
      payload: env.ticketing.payload ?? defaultTicketPayload(env.name),
      ...(Object.keys(headers).length > 0 ? { customHeaders: JSON.stringify(headers) } : {}),
      // The variables must exist before a payload or header can reference them.
      dependsOn: secretVariables,
    });
  }
}
