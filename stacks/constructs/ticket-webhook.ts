/**
 * The Datadog webhook that opens a ticket. Credentials for the ticketing system never appear in the
 * definition or the synthesized JSON: each is a sensitive Terraform variable feeding a secret
 * webhook custom variable, which the URL, headers and payload reference as `$NAME`. The value does
 * land in Terraform state (docs/stacks.md, "State").
 */
import { Webhook } from "@cdktf/provider-datadog/lib/webhook";
import { WebhookCustomVariable } from "@cdktf/provider-datadog/lib/webhook-custom-variable";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { TAG_KEYS } from "../../contract/metrics";
import type { ResourceNames } from "../../contract/names";

export interface TicketWebhookProps {
  /** Environment name, written into the default payload. */
  readonly environment: string;
  /** Datadog webhook name, mentioned by the monitors as `@webhook-<name>`. */
  readonly name: string;
  /** Ticketing endpoint (https); a credential in it is a `$NAME` reference to a secret variable. */
  readonly url: string;
  /** JSON payload template with Datadog `$VARIABLES`. @default defaultTicketPayload(environment) */
  readonly payload?: string | undefined;
  /** Secret custom variables to create, each fed from a sensitive Terraform variable. @default [] */
  readonly secretVariables?: readonly string[];
  /** Extra request headers. @default none */
  readonly customHeaders?: Readonly<Record<string, string>>;
  /** Name of the sensitive Terraform variable behind each secret custom variable. */
  readonly names: Pick<ResourceNames, "webhookSecretVariable">;
}

/**
 * The ticket body Datadog posts. `$ALERT_CYCLE_KEY` stays the same for one alert's lifetime, so the
 * ticketing system can de-duplicate on it and close the ticket on the recovery transition.
 */
export function defaultTicketPayload(environment: string): string {
  return JSON.stringify(
    {
      alert_id: "$ALERT_ID",
      dedup_key: "$ALERT_CYCLE_KEY",
      transition: "$ALERT_TRANSITION",
      title: "$EVENT_TITLE",
      scope: "$ALERT_SCOPE",
      link: "$LINK",
      [TAG_KEYS.environment]: environment,
    },
    null,
    2,
  );
}

export class TicketWebhook extends Construct {
  readonly webhook: Webhook;

  constructor(scope: Construct, id: string, props: TicketWebhookProps) {
    super(scope, id);
    const secretVariables = (props.secretVariables ?? []).map((name) => {
      const variableName = props.names.webhookSecretVariable(name);
      // Declared on the stack, so the variable's name is exactly TF_VAR_<variableName>.
      const value = new TerraformVariable(scope, variableName, {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `Value of the Datadog webhook variable $${name} (ticketing credential). Pass it as TF_VAR_${variableName}.`,
      });
      return new WebhookCustomVariable(this, `variable-${name}`, { name, value: value.stringValue, isSecret: true });
    });

    const headers = props.customHeaders ?? {};
    this.webhook = new Webhook(this, "webhook", {
      name: props.name,
      url: props.url,
      encodeAs: "json",
      payload: props.payload ?? defaultTicketPayload(props.environment),
      ...(Object.keys(headers).length > 0 ? { customHeaders: JSON.stringify(headers) } : {}),
      // The variables must exist before the URL, a payload or a header can reference them.
      dependsOn: secretVariables,
    });
  }
}
