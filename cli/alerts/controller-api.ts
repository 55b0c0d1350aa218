/**
 * The webhook and alert endpoints of one controller, as Cohesive's OpenAPI description publishes
 * them (cohesive/cohesivenet-client-go, cohesivenet/api/openapi.yaml, tag "Monitoring and
 * Alerting"): GET /webhooks, POST /webhook, PUT/DELETE /webhook/{id}, GET /alerts, POST /alert,
 * PUT/DELETE /alert/{id}, POST /alert/{id}/test, GET /alert_events. Every answer is `{"response": …}`.
 * Versions (python-cohesivenet-sdk, cohesivenet/api/vns3/monitoring_alerting_api.py, its version
 * router): webhooks and alerts 4.8.4 and later, alert_events 4.9.1 and later; alerts refer to a
 * webhook by `webhook_id` only from 4.9.
 */
import type { Vns3Credentials, Vns3Target } from "../../handler/vns3-client";
import type { AlertFields, Vns3Alert, Vns3Webhook, WebhookFields } from "./desired";
import { adminRequest, type AdminAnswer } from "./vns3-admin";

/** The oldest VNS3 with each endpoint this tool uses. */
export const PUSH_MIN_VERSION = { webhooksAndAlerts: "4.9", alertEvents: "4.9.1" } as const;

/** What a 404 from an older controller means, per endpoint. */
function missingEndpoint(path: string): string {
  return path === "/alert_events"
    ? `the alert event list needs VNS3 ${PUSH_MIN_VERSION.alertEvents} or later`
    : `VNS3's webhooks and alerts need VNS3 ${PUSH_MIN_VERSION.webhooksAndAlerts} or later (they appeared in 4.8.4; alerts that name their webhook by id, as these do, need 4.9)`;
}

/** A controller refused or failed a request; `message` is safe to print once escaped. */
export class ControllerApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ControllerApiError";
  }
}

/** The `error.message` of a VNS3 error answer, cut short (it is the controller's text). */
function errorText(body: unknown): string {
  const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof message === "string" ? message.slice(0, 200) : "no error message";
}

function responseOf(answer: AdminAnswer, what: string): unknown {
  const body = answer.body as { response?: unknown } | undefined;
  if (body === undefined || typeof body !== "object" || body === null || !("response" in body)) {
    throw new ControllerApiError(`${what}: the answer is not VNS3's {"response": …} JSON`, answer.status);
  }
  return body.response;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function listOf<T extends { id: number; name: string }>(value: unknown, what: string, status: number): T[] {
  if (!Array.isArray(value)) throw new ControllerApiError(`${what}: expected a list in "response"`, status);
  return value.filter((item): item is T => isObject(item) && typeof item.id === "number" && typeof item.name === "string");
}

/** The endpoints of one controller, over pinned connections. */
export class ControllerApi {
  constructor(
    private readonly target: Vns3Target,
    private readonly credentials: Vns3Credentials,
    private readonly signal: () => AbortSignal,
  ) {}

  private async call(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<unknown> {
    const what = `${method} /api${path}`;
    const answer = await adminRequest(this.target, this.credentials, method, path, body, this.signal());
    if (answer.status === 404 && (path === "/webhooks" || path === "/alerts" || path === "/alert_events")) {
      throw new ControllerApiError(`${what} answered 404: this controller has no such endpoint; ${missingEndpoint(path)}`, 404);
    }
    if (answer.status === 401 || answer.status === 403) throw new ControllerApiError(`${what} answered ${answer.status}: the controller refused the credentials`, answer.status);
    if (answer.status < 200 || answer.status > 299) throw new ControllerApiError(`${what} answered ${answer.status}: ${errorText(answer.body)}`, answer.status);
    return responseOf(answer, what);
  }

  async webhooks(): Promise<Vns3Webhook[]> {
    return listOf<Vns3Webhook>(await this.call("GET", "/webhooks"), "GET /api/webhooks", 200);
  }

  async alerts(): Promise<Vns3Alert[]> {
    return listOf<Vns3Alert>(await this.call("GET", "/alerts"), "GET /api/alerts", 200);
  }

  /** The events this controller can push, or undefined on a controller older than 4.9.1. */
  async alertEvents(): Promise<string[] | undefined> {
    try {
      const events = await this.call("GET", "/alert_events");
      return Array.isArray(events) ? events.filter((e): e is string => typeof e === "string") : undefined;
    } catch (error) {
      if (error instanceof ControllerApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Creates the webhook; resolves with its id. */
  async createWebhook(fields: WebhookFields): Promise<number> {
    return idOf(await this.call("POST", "/webhook", fields), "POST /api/webhook");
  }

  async updateWebhook(id: number, fields: WebhookFields): Promise<void> {
    await this.call("PUT", `/webhook/${id}`, fields);
  }

  async deleteWebhook(id: number): Promise<void> {
    await this.call("DELETE", `/webhook/${id}`);
  }

  /** Creates the alert; resolves with its id. */
  async createAlert(fields: AlertFields, webhookId: number): Promise<number> {
    return idOf(await this.call("POST", "/alert", { ...fields, webhook_id: webhookId }), "POST /api/alert");
  }

  async updateAlert(id: number, fields: AlertFields, webhookId: number): Promise<void> {
    await this.call("PUT", `/alert/${id}`, { ...fields, webhook_id: webhookId });
  }

  async deleteAlert(id: number): Promise<void> {
    await this.call("DELETE", `/alert/${id}`);
  }

  /** `POST /alert/{id}/test`: the controller's `{code, message, status}` (schema postTestAlert_200_response_response). */
  async testAlert(id: number): Promise<{ code: string; message: string; status: string }> {
    const response = await this.call("POST", `/alert/${id}/test`);
    const text = (key: string) => (isObject(response) && (typeof response[key] === "string" || typeof response[key] === "number") ? String(response[key]) : "");
    return { code: text("code"), message: text("message"), status: text("status") };
  }
}

function idOf(response: unknown, what: string): number {
  if (isObject(response) && typeof response.id === "number") return response.id;
  throw new ControllerApiError(`${what}: the answer carries no id`, 200);
}
