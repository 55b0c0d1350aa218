/**
 * What one controller should hold for an environment's push path: one webhook that posts a
 * Datadog event (POST /api/v1/events) and one alert that sends the chosen events to it, both named
 * {@link pushResourceName}. Pure: the API key comes in, the bodies go out.
 *
 * Field names follow Cohesive's OpenAPI description (cohesive/cohesivenet-client-go,
 * cohesivenet/api/openapi.yaml): `CreateWebookRequest` (name, url, body, headers [{name, value}],
 * validate_cert, events) and `CreateAlertRequest` (name, url, webhook_id required; events, enabled).
 * The body is a template whose `%{…}` variables the controller fills in when it sends: the
 * Terraform provider's `vns3_webhook` example (cohesive/terraform-provider-cohesivenet,
 * docs/resources/vns3_webhook.md) uses `%{default_message}`, `%{event_date}`, `%{controller_name}`,
 * `%{controller_public_ip}`, `%{event_name}`; the Python SDK's test data (tests/vns3/stub_data.py,
 * `Webhook`) uses `%{status}`, `%{tunnel_description}`, `%{local_subnet}`, `%{remote_subnet}`.
 */
import { TAG_KEYS } from "../../contract/metrics";
import { tag } from "../../handler/tags";
import { pushResourceName, type Vns3AlertEvent } from "../../contract/push";

/** The header Datadog's events intake reads the API key from. */
export const API_KEY_HEADER = "DD-API-KEY";

/** A `{name, value}` pair (`CreateWebookRequest_headers_inner`). */
export interface NameValue {
  readonly name: string;
  readonly value: string;
}

/** One webhook as the controller lists it (`WebhookIntegration`); only what this tool compares. */
export interface Vns3Webhook {
  readonly id: number;
  readonly name: string;
  readonly url?: string | undefined;
  readonly body?: string | undefined;
  readonly headers?: readonly NameValue[] | undefined;
  readonly validate_cert?: boolean | undefined;
  readonly events?: readonly string[] | undefined;
}

/** One alert as the controller lists it (`Alert`). */
export interface Vns3Alert {
  readonly id: number;
  readonly name: string;
  readonly webhook_id?: number | undefined;
  readonly url?: string | undefined;
  readonly enabled?: boolean | undefined;
  readonly events?: readonly string[] | undefined;
}

/** The webhook fields this tool sets (`CreateWebookRequest`). */
export interface WebhookFields {
  readonly name: string;
  readonly url: string;
  readonly body: string;
  readonly headers: readonly NameValue[];
  readonly validate_cert: boolean;
  readonly events: readonly string[];
}

/** The alert fields this tool sets (`CreateAlertRequest` less webhook_id, known once the webhook exists). */
export interface AlertFields {
  readonly name: string;
  readonly url: string;
  readonly enabled: boolean;
  readonly events: readonly string[];
}

/** Inputs of one controller's desired state. */
export interface DesiredInput {
  readonly environment: string;
  /** The controller's name in the definition: the `controller` tag the checker sends too. */
  readonly controller: string;
  /** Base URL of the Datadog API (`https://api.<site>` or DD_API_URL). */
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly events: readonly Vns3AlertEvent[];
}

/** Where the controller posts: Datadog's v1 events intake. */
export function eventsIntakeUrl(apiUrl: string): string {
  return `${apiUrl.replace(/\/+$/, "")}/api/v1/events`;
}

/** Longest `aggregation_key` Datadog's events API accepts. */
const MAX_AGGREGATION_KEY = 100;

/**
 * The Datadog event the controller posts, as a template. Tags the controller cannot know (the
 * environment, the controller's name in the definition) are written in now, normalized the way the
 * checker normalizes them, so that the BGP monitor's query and the dashboard overlay match the
 * checker's own series. `%{…}` values are filled in by the controller and normalized by Datadog on
 * intake. `aggregation_key` groups one controller's events for one tunnel (or, for events without
 * a tunnel, the controller's) into one episode in the event stream. The controller substitutes
 * values as they are: a tunnel description with a `"` or `\` makes the body invalid JSON, and
 * Datadog refuses that event (docs/push.md, "Limits").
 */
export function eventTemplate(environment: string, controller: string): string {
  const key = `vns3:${environment}:${controller}:`;
  const event = {
    title: `VNS3 %{event_name} on ${controller} (${environment}) %{tunnel_description}`,
    text: `%{default_message}\nController ${controller} (%{controller_name}, %{controller_public_ip}) at %{event_date}.\nTunnel %{tunnel_description}: local %{local_subnet}, remote %{remote_subnet}, status %{status}.`,
    tags: [tag(TAG_KEYS.environment, environment), tag(TAG_KEYS.controller, controller), `${TAG_KEYS.event}:%{event_name}`, `${TAG_KEYS.tunnel}:%{tunnel_description}`],
    aggregation_key: key.length < MAX_AGGREGATION_KEY - 30 ? `${key}%{tunnel_description}` : key.slice(0, MAX_AGGREGATION_KEY),
    alert_type: "info",
  };
  return JSON.stringify(event, null, 2);
}

/** The webhook this environment needs on one controller. */
export function desiredWebhook(input: DesiredInput): WebhookFields {
  return {
    name: pushResourceName(input.environment),
    url: eventsIntakeUrl(input.apiUrl),
    body: eventTemplate(input.environment, input.controller),
    headers: [
      { name: "Content-Type", value: "application/json" },
      { name: API_KEY_HEADER, value: input.apiKey },
    ],
    // Datadog's intake has a publicly trusted certificate: the controller verifies it.
    validate_cert: true,
    events: [...input.events],
  };
}

/** The alert this environment needs on one controller. */
export function desiredAlert(input: DesiredInput): AlertFields {
  return { name: pushResourceName(input.environment), url: eventsIntakeUrl(input.apiUrl), enabled: true, events: [...input.events] };
}
