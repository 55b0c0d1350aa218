/**
 * Confirms in Datadog that a controller's test alert arrived: Datadog's v1 events API,
 * `GET /api/v1/events?start=<unix s>&end=<unix s>&tags=<a,b>` with `DD-API-KEY` and
 * `DD-APPLICATION-KEY` (an application key with events read access), answering
 * `{"events": [{ "title", "tags", "date_happened", … }]}`. Events are searchable some seconds after
 * intake, so it looks again every few seconds until `waitMs` has passed.
 */
import { sleep } from "../../handler/deadline";

/** Largest answer read from the events API. */
const MAX_EVENTS_BODY = 4 * 1024 * 1024;

export interface FindTestEventOptions {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly appKey: string;
  /** Every one of these must be on the event. */
  readonly tags: readonly string[];
  /** Unix seconds: only events at or after this. */
  readonly start: number;
  readonly waitMs: number;
  readonly intervalMs: number;
}

export type FoundEvent = { ok: true; title: string; tags: string[] } | { ok: false; problem: string };

interface EventsAnswer {
  readonly events?: readonly { readonly title?: unknown; readonly tags?: unknown }[];
}

/** Looks for an event with every tag of `options.tags`, until found or `waitMs` has passed. */
export async function findTestEvent(options: FindTestEventOptions): Promise<FoundEvent> {
  const giveUpAt = Date.now() + options.waitMs;
  for (;;) {
    const url = new URL(`${options.apiUrl.replace(/\/+$/, "")}/api/v1/events`);
    url.searchParams.set("start", String(options.start));
    url.searchParams.set("end", String(Math.floor(Date.now() / 1000) + 60));
    url.searchParams.set("tags", options.tags.join(","));
    let response: Response;
    try {
      response = await fetch(url, { headers: { "DD-API-KEY": options.apiKey, "DD-APPLICATION-KEY": options.appKey, Accept: "application/json" }, signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      return { ok: false, problem: `Datadog's events API did not answer: ${error instanceof Error ? error.message : String(error)}` };
    }
    const text = await response.text();
    if (response.status === 403 || response.status === 401) return { ok: false, problem: `Datadog's events API answered ${response.status}: check DD_APP_KEY (it needs events read access) and the API key` };
    if (!response.ok) return { ok: false, problem: `Datadog's events API answered ${response.status}` };
    if (text.length > MAX_EVENTS_BODY) return { ok: false, problem: "Datadog's events answer is too large to read" };
    let answer: EventsAnswer;
    try {
      answer = JSON.parse(text) as EventsAnswer;
    } catch {
      return { ok: false, problem: "Datadog's events API answered something other than JSON" };
    }
    for (const event of answer.events ?? []) {
      const tags = Array.isArray(event.tags) ? event.tags.filter((t): t is string => typeof t === "string") : [];
      if (options.tags.every((t) => tags.includes(t))) return { ok: true, title: typeof event.title === "string" ? event.title : "", tags };
    }
    if (Date.now() + options.intervalMs > giveUpAt) {
      return { ok: false, problem: `no event tagged ${options.tags.join(", ")} arrived in Datadog within ${Math.round(options.waitMs / 1000)} s of the test` };
    }
    await sleep(options.intervalMs);
  }
}
