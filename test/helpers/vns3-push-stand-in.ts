/**
 * Loopback stand-ins for the push path: a VNS3 controller's webhook and alert endpoints over HTTPS
 * (self-signed, pinned by the test), and a Datadog events API that stores what is posted and
 * answers searches.
 *
 * The controller follows Cohesive's OpenAPI description (cohesive/cohesivenet-client-go,
 * cohesivenet/api/openapi.yaml, tag "Monitoring and Alerting"): GET /api/webhooks
 * (`WebhooksListResponse`), POST /api/webhook (201 `WebhookDetailResponse`), GET/PUT/DELETE
 * /api/webhook/{id} (404 `{"error": {"name": "APINotFoundError", "message": "Requested webhook does
 * not exist"}}`), GET /api/alerts (`AlertsListResponse`), POST /api/alert (201 `AlertDetailResponse`,
 * `name`, `url`, `webhook_id` required), PUT/DELETE /api/alert/{id}, POST /api/alert/{id}/test
 * (200 `{"response": {"code", "message", "status"}}`), GET /api/alert_events
 * (`AlertEventTypesListResponse`'s example list). Stored objects carry the fields of the Python
 * SDK's test data (python-cohesivenet-sdk, tests/vns3/stub_data.py `Alert`, `Webhook`): id,
 * created_at, updated_at, custom_properties, parameters.
 *
 * What a controller fills `%{…}` with for a test alert is not published: this stand-in renders the
 * body with {@link TEST_ALERT_VARIABLES}. `trigger()` renders it with the values a test gives, as a
 * real event would.
 *
 * The Datadog side follows Datadog's API reference: POST /api/v1/events answers 202
 * `{"status": "ok", "event": {…}}`; GET /api/v1/events?start&end&tags answers
 * `{"events": [...]}` and needs DD-API-KEY and DD-APPLICATION-KEY (403 `{"errors": ["Forbidden"]}`).
 */
import * as http from "node:http";
import * as https from "node:https";
import { listen, type TestCertificate } from "./cli-harness";

/** The events `GET /api/alert_events` lists (OpenAPI `AlertEventTypesListResponse` example). */
export const PUBLISHED_ALERT_EVENTS = [
  "tunnel_up",
  "tunnel_down",
  "process_change",
  "user_password_change",
  "controller_reboot",
  "controller_reset_defaults",
  "system_general",
  "clientpack_up",
  "clientpack_down",
  "bgp_session_up",
  "bgp_session_down",
];

/** The stand-in's values for a test alert (not published by Cohesive; see the file comment). */
export const TEST_ALERT_VARIABLES: Readonly<Record<string, string>> = {
  event_name: "test",
  event_date: "2026-12-02 16:00:00 UTC",
  controller_name: "vns3-stand-in",
  controller_public_ip: "192.0.2.10",
  default_message: "Test alert from VNS3",
  tunnel_description: "",
  local_subnet: "",
  remote_subnet: "",
  status: "",
};

interface StoredWebhook {
  id: number;
  name: string;
  url: string;
  body: string;
  headers: { name: string; value: string }[];
  parameters: { name: string; value: string }[];
  custom_properties: unknown[];
  validate_cert: boolean;
  events: string[];
  system: boolean;
  created_at: string;
  updated_at: string;
}

interface StoredAlert {
  id: number;
  name: string;
  url: string;
  webhook_id: number;
  enabled: boolean;
  events: string[];
  custom_properties: unknown[];
  created_at: string;
  updated_at: string;
}

/** A request the controller stand-in received. */
export interface PushSeen {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

/** Options of the controller stand-in. */
export interface PushControllerOptions {
  readonly certificate: TestCertificate;
  readonly password: string;
  /** An older controller: 404 for every webhook and alert endpoint. @default false */
  readonly withoutPushEndpoints?: boolean;
  /** Webhooks and alerts present before the test (someone else's). */
  readonly webhooks?: readonly Partial<StoredWebhook>[];
  readonly alerts?: readonly Partial<StoredAlert>[];
}

/** A running controller stand-in. */
export interface PushController {
  readonly port: number;
  readonly seen: PushSeen[];
  webhooks(): StoredWebhook[];
  alerts(): StoredAlert[];
  /** An event happens: every enabled alert listing it renders its webhook's body and delivers it. */
  trigger(event: string, variables: Readonly<Record<string, string>>): Promise<void>;
  close(): Promise<void>;
}

/** `%{name}` → value, as the controller fills the body template (unknown variables become ""). */
export function renderTemplate(template: string, variables: Readonly<Record<string, string>>): string {
  return template.replace(/%\{([a-z_]+)\}/g, (_, name: string) => variables[name] ?? "");
}

async function deliver(webhook: StoredWebhook, variables: Readonly<Record<string, string>>): Promise<number> {
  const headers = Object.fromEntries(webhook.headers.map((h) => [h.name, h.value]));
  const response = await fetch(webhook.url, { method: "POST", headers, body: renderTemplate(webhook.body, variables), signal: AbortSignal.timeout(5_000) });
  await response.text();
  return response.status;
}

const NOW = "2026-12-02T16:00:00.000Z";

export async function startPushController(options: PushControllerOptions): Promise<PushController> {
  let nextId = 1;
  const webhooks: StoredWebhook[] = [];
  const alerts: StoredAlert[] = [];
  for (const w of options.webhooks ?? []) {
    webhooks.push({ id: nextId++, name: "", url: "", body: "", headers: [], parameters: [], custom_properties: [], validate_cert: true, events: [], system: false, created_at: NOW, updated_at: NOW, ...w });
  }
  for (const a of options.alerts ?? []) alerts.push({ id: nextId++, name: "", url: "", webhook_id: 0, enabled: true, events: [], custom_properties: [], created_at: NOW, updated_at: NOW, ...a });
  const seen: PushSeen[] = [];
  const auth = `Basic ${Buffer.from(`api:${options.password}`).toString("base64")}`;

  const server = https.createServer({ key: options.certificate.key, cert: options.certificate.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      const method = req.method ?? "";
      const url = new URL(req.url ?? "/", "https://stand-in");
      seen.push({ method, path: url.pathname, body });
      const send = (status: number, payload: unknown) => res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(payload));
      const notFound = (what: string) => send(404, { error: { name: "APINotFoundError", log: "15640808375976073208002188741879242245537", message: `Requested ${what} does not exist` } });
      if (req.headers.authorization !== auth) return send(401, { error: { message: "Unauthorized" } });
      if (options.withoutPushEndpoints === true && /^\/api\/(webhooks?|alerts?|alert_events)(\/|$)/.test(url.pathname)) return notFound("resource");
      const fields = (body ?? {}) as Record<string, unknown>;
      const route = `${method} ${url.pathname.replace(/\/\d+(?=\/|$)/, "/{id}")}`;
      const id = Number(/\/(\d+)(?:\/|$)/.exec(url.pathname)?.[1]);
      const webhook = webhooks.find((w) => w.id === id);
      const alert = alerts.find((a) => a.id === id);
      switch (route) {
        case "GET /api/alert_events":
          return send(200, { response: PUBLISHED_ALERT_EVENTS });
        case "GET /api/webhooks":
          return send(200, { response: webhooks });
        case "POST /api/webhook": {
          if (typeof fields.name !== "string") return send(400, { error: { message: "name is required" } });
          const created: StoredWebhook = {
            id: nextId++,
            name: fields.name,
            url: String(fields.url ?? ""),
            body: String(fields.body ?? ""),
            headers: (fields.headers as StoredWebhook["headers"]) ?? [],
            parameters: (fields.parameters as StoredWebhook["parameters"]) ?? [],
            custom_properties: [],
            validate_cert: fields.validate_cert !== false,
            events: (fields.events as string[] | undefined) ?? ["tunnel_up", "tunnel_down"],
            system: false,
            created_at: NOW,
            updated_at: NOW,
          };
          webhooks.push(created);
          return send(201, { response: created });
        }
        case "GET /api/webhook/{id}":
          return webhook === undefined ? notFound("webhook") : send(200, { response: webhook });
        case "PUT /api/webhook/{id}":
          if (webhook === undefined) return notFound("webhook");
          Object.assign(webhook, fields, { id: webhook.id, updated_at: NOW });
          return send(200, { response: webhook });
        case "DELETE /api/webhook/{id}":
          if (webhook === undefined) return notFound("webhook");
          webhooks.splice(webhooks.indexOf(webhook), 1);
          return send(200, { response: webhook });
        case "GET /api/alerts":
          return send(200, { response: alerts });
        case "POST /api/alert": {
          if (typeof fields.name !== "string" || typeof fields.url !== "string" || typeof fields.webhook_id !== "number") {
            return send(400, { error: { message: "name, url and webhook_id are required" } });
          }
          const created: StoredAlert = {
            id: nextId++,
            name: fields.name,
            url: fields.url,
            webhook_id: fields.webhook_id,
            enabled: fields.enabled !== false,
            events: (fields.events as string[] | undefined) ?? [],
            custom_properties: [],
            created_at: NOW,
            updated_at: NOW,
          };
          alerts.push(created);
          return send(201, { response: created });
        }
        case "PUT /api/alert/{id}":
          if (alert === undefined) return notFound("alert");
          Object.assign(alert, fields, { id: alert.id, updated_at: NOW });
          return send(200, { response: alert });
        case "DELETE /api/alert/{id}":
          if (alert === undefined) return notFound("alert");
          alerts.splice(alerts.indexOf(alert), 1);
          return send(200, { response: alert });
        case "POST /api/alert/{id}/test": {
          if (alert === undefined) return notFound("alert");
          const target = webhooks.find((w) => w.id === alert.webhook_id);
          if (target === undefined) return send(200, { response: { code: "404", message: "webhook not found", status: "error" } });
          deliver(target, TEST_ALERT_VARIABLES).then(
            (status) => send(200, { response: { code: String(status), message: "Test alert sent", status: status < 300 ? "ok" : "error" } }),
            (error: Error) => send(200, { response: { code: "0", message: error.message, status: "error" } }),
          );
          return;
        }
        default:
          return notFound("resource");
      }
    });
  });
  const listening = await listen(server);
  return {
    port: listening.port,
    seen,
    webhooks: () => webhooks,
    alerts: () => alerts,
    async trigger(event, variables) {
      for (const a of alerts.filter((x) => x.enabled && x.events.includes(event))) {
        const target = webhooks.find((w) => w.id === a.webhook_id);
        if (target !== undefined) await deliver(target, { ...variables, event_name: event });
      }
    },
    close: listening.close,
  };
}

/** One event the Datadog stand-in stored. */
export interface StoredEvent {
  readonly id: number;
  readonly title: string;
  readonly text: string;
  readonly tags: string[];
  readonly aggregation_key?: string;
  readonly alert_type?: string;
  readonly date_happened: number;
  /** The DD-API-KEY it came with. */
  readonly apiKey: string;
}

/** A running Datadog events stand-in. */
export interface DatadogEvents {
  readonly url: string;
  readonly events: StoredEvent[];
  /** Bodies posted to /api/v1/events that were not JSON (a template rendered into broken JSON). */
  readonly refused: string[];
  close(): Promise<void>;
}

/** Datadog's events API on loopback; `appKey` is the application key searches need. */
export async function startDatadogEvents(options: { appKey: string }): Promise<DatadogEvents> {
  const events: StoredEvent[] = [];
  const refused: string[] = [];
  let nextId = 1000;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, payload: unknown) => res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(payload));
      const url = new URL(req.url ?? "/", "http://stand-in");
      const apiKey = String(req.headers["dd-api-key"] ?? "");
      if (apiKey === "") return send(403, { errors: ["Forbidden"] });
      if (url.pathname !== "/api/v1/events") return send(404, { errors: ["Not found"] });
      if (req.method === "POST") {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          refused.push(text);
          return send(400, { errors: ["Malformed JSON"] });
        }
        const stored: StoredEvent = {
          id: nextId++,
          title: String(body.title ?? ""),
          text: String(body.text ?? ""),
          tags: Array.isArray(body.tags) ? body.tags.map(String) : [],
          ...(typeof body.aggregation_key === "string" ? { aggregation_key: body.aggregation_key } : {}),
          ...(typeof body.alert_type === "string" ? { alert_type: body.alert_type } : {}),
          date_happened: Math.floor(Date.now() / 1000),
          apiKey,
        };
        events.push(stored);
        return send(202, { status: "ok", event: { id: stored.id, title: stored.title, text: stored.text, tags: stored.tags, date_happened: stored.date_happened } });
      }
      if (req.method === "GET") {
        if (req.headers["dd-application-key"] !== options.appKey) return send(403, { errors: ["Forbidden"] });
        const start = Number(url.searchParams.get("start"));
        const end = Number(url.searchParams.get("end"));
        const tags = (url.searchParams.get("tags") ?? "").split(",").filter((t) => t !== "");
        const matching = events.filter((e) => e.date_happened >= start && e.date_happened <= end && tags.every((t) => e.tags.includes(t)));
        return send(200, { events: matching.map(({ apiKey: _key, ...e }) => e) });
      }
      return send(405, { errors: ["Method not allowed"] });
    });
  });
  const listening = await listen(server);
  return { url: `http://127.0.0.1:${listening.port}`, events, refused, close: listening.close };
}
