/**
 * One controller's plan: compare what it lists with what it should hold, and say per resource
 * create, change (which fields) or leave. Only the resources named for the environment are ever
 * looked at; every other webhook and alert is someone else's. Header values are never shown.
 */
import { API_KEY_HEADER, type AlertFields, type NameValue, type Vns3Alert, type Vns3Webhook, type WebhookFields } from "./desired";

/** What happens to one resource. */
export type Step<T> =
  | { readonly action: "create"; readonly fields: T }
  | { readonly action: "update"; readonly id: number; readonly fields: T; readonly changes: readonly string[] }
  | { readonly action: "leave"; readonly id: number };

/** One controller's plan. */
export interface ControllerPlan {
  readonly webhook: Step<WebhookFields>;
  /** The alert's webhook_id is the webhook's id, known after the webhook step ran (for a create). */
  readonly alert: Step<AlertFields>;
  /** Resources with the environment's name beyond the first (left alone, reported). */
  readonly duplicates: readonly string[];
}

const sameList = (a: readonly string[] | undefined, b: readonly string[]) => JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...b].sort());

/** Header changes, by name; values never appear (a header may carry the API key). */
function headerChanges(actual: readonly NameValue[] | undefined, wanted: readonly NameValue[]): string[] {
  const have = new Map((actual ?? []).map((h) => [h.name.toLowerCase(), h.value]));
  const changes: string[] = [];
  for (const header of wanted) {
    const value = have.get(header.name.toLowerCase());
    if (value === undefined) changes.push(`header ${header.name}: added`);
    else if (value !== header.value) changes.push(`header ${header.name}: changed`);
    have.delete(header.name.toLowerCase());
  }
  for (const name of have.keys()) changes.push(`header ${name}: removed`);
  return changes;
}

function webhookChanges(actual: Vns3Webhook, wanted: WebhookFields): string[] {
  const changes: string[] = [];
  if (actual.url !== wanted.url) changes.push("url");
  if (actual.body !== wanted.body) changes.push("body");
  if (actual.validate_cert !== wanted.validate_cert) changes.push("validate_cert");
  if (!sameList(actual.events, wanted.events)) changes.push("events");
  return [...changes, ...headerChanges(actual.headers, wanted.headers)];
}

function alertChanges(actual: Vns3Alert, wanted: AlertFields, webhookId: number | undefined): string[] {
  const changes: string[] = [];
  if (webhookId !== undefined && actual.webhook_id !== webhookId) changes.push("webhook_id");
  if (actual.url !== wanted.url) changes.push("url");
  if (actual.enabled !== wanted.enabled) changes.push("enabled");
  if (!sameList(actual.events, wanted.events)) changes.push("events");
  return changes;
}

/** Plans one controller from its lists (`GET /api/webhooks`, `GET /api/alerts`). */
export function planController(webhooks: readonly Vns3Webhook[], alerts: readonly Vns3Alert[], wanted: { webhook: WebhookFields; alert: AlertFields }): ControllerPlan {
  const duplicates: string[] = [];
  const mineWebhooks = webhooks.filter((w) => w.name === wanted.webhook.name);
  const mineAlerts = alerts.filter((a) => a.name === wanted.alert.name);
  for (const extra of mineWebhooks.slice(1)) duplicates.push(`webhook ${extra.id}`);
  for (const extra of mineAlerts.slice(1)) duplicates.push(`alert ${extra.id}`);
  const webhook = mineWebhooks[0];
  const alert = mineAlerts[0];

  let webhookStep: Step<WebhookFields>;
  if (webhook === undefined) webhookStep = { action: "create", fields: wanted.webhook };
  else {
    const changes = webhookChanges(webhook, wanted.webhook);
    webhookStep = changes.length === 0 ? { action: "leave", id: webhook.id } : { action: "update", id: webhook.id, fields: wanted.webhook, changes };
  }
  let alertStep: Step<AlertFields>;
  if (alert === undefined) alertStep = { action: "create", fields: wanted.alert };
  else {
    // A webhook about to be created has no id yet: the alert must point at it, so it changes.
    const changes = webhook === undefined ? ["webhook_id", ...alertChanges(alert, wanted.alert, undefined)] : alertChanges(alert, wanted.alert, webhook.id);
    alertStep = changes.length === 0 ? { action: "leave", id: alert.id } : { action: "update", id: alert.id, fields: wanted.alert, changes };
  }
  return { webhook: webhookStep, alert: alertStep, duplicates };
}

/** One line per resource: `webhook vpn-monitor-x: create`, `… update (url, header DD-API-KEY: changed)`, `… leave (id 3)`. */
export function describePlan(name: string, plan: ControllerPlan): string[] {
  const line = (kind: string, step: Step<unknown>) =>
    step.action === "create" ? `${kind} ${name}: create` : step.action === "update" ? `${kind} ${name}: change (id ${step.id}): ${step.changes.join(", ")}` : `${kind} ${name}: leave (id ${step.id}, as wanted)`;
  return [line("webhook", plan.webhook), line("alert", plan.alert), ...plan.duplicates.map((d) => `warning: another ${d} is also named ${name}; left alone`)];
}

/** Whether applying the plan would change anything. */
export function planChanges(plan: ControllerPlan): boolean {
  return plan.webhook.action !== "leave" || plan.alert.action !== "leave";
}

export { API_KEY_HEADER };
