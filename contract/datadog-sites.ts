/**
 * The Datadog sites, one table for the checker, the stacks and the CLIs. Short names are what
 * operators write in a definition (`site: EU`); domains are what Datadog and `DD_SITE` use.
 * Source: Datadog's "Getting Started with Datadog Sites" page (site parameter and site URL columns).
 */

/** Short name → the site's domain (`DD_SITE`). The API host is `api.<domain>`. */
export const DATADOG_SITES = {
  US1: "datadoghq.com",
  US3: "us3.datadoghq.com",
  US5: "us5.datadoghq.com",
  EU: "datadoghq.eu",
  AP1: "ap1.datadoghq.com",
  AP2: "ap2.datadoghq.com",
  GOV: "ddog-gov.com",
} as const;

export type DatadogSiteName = keyof typeof DATADOG_SITES;
export type DatadogSiteDomain = (typeof DATADOG_SITES)[DatadogSiteName];

export const DATADOG_SITE_NAMES = Object.keys(DATADOG_SITES) as [DatadogSiteName, ...DatadogSiteName[]];
export const DATADOG_SITE_DOMAINS = Object.values(DATADOG_SITES) as [DatadogSiteDomain, ...DatadogSiteDomain[]];

/**
 * The web app's host: US1, EU and GOV use `app.<domain>`, the newer sites serve the app on the
 * domain itself (https://us3.datadoghq.com), as Datadog's site table lists them.
 */
const APP_HOST: Readonly<Record<DatadogSiteName, string>> = {
  US1: "app.datadoghq.com",
  US3: "us3.datadoghq.com",
  US5: "us5.datadoghq.com",
  EU: "app.datadoghq.eu",
  AP1: "ap1.datadoghq.com",
  AP2: "ap2.datadoghq.com",
  GOV: "app.ddog-gov.com",
};

/**
 * Reads a site however an operator spells it: `EU`, `eu`, `datadoghq.eu`, `app.datadoghq.eu`,
 * `api.datadoghq.eu`, or a URL of any of those. Returns undefined for anything else.
 */
export function parseDatadogSite(input: string): DatadogSiteName | undefined {
  const text = input.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  if (text === "") return undefined;
  const byName = DATADOG_SITE_NAMES.find((name) => name.toLowerCase() === text);
  if (byName !== undefined) return byName;
  const host = text.replace(/^(?:api|app)\./, "");
  return DATADOG_SITE_NAMES.find((name) => DATADOG_SITES[name] === host || APP_HOST[name] === text);
}

/**
 * The sites a host or URL typed only half-way can still mean (`app.datadoghq.e`, `https://api.us5.`):
 * those whose domain, API host or app host it begins. Empty for anything else (a name, a fragment
 * from the middle), which callers match their own way.
 */
export function datadogSitesByHostPrefix(input: string): DatadogSiteName[] {
  const text = input.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  if (!text.includes(".")) return [];
  return DATADOG_SITE_NAMES.filter((name) => [DATADOG_SITES[name], `api.${DATADOG_SITES[name]}`, APP_HOST[name]].some((host) => host.startsWith(text)));
}

/** `https://api.<domain>`: the base URL of the site's HTTP API (no trailing slash). */
export function datadogApiUrl(site: DatadogSiteName): string {
  return `https://api.${DATADOG_SITES[site]}`;
}

/** `https://<app host>`: the base URL of the site's web app, for links in monitor messages. */
export function datadogAppUrl(site: DatadogSiteName): string {
  return `https://${APP_HOST[site]}`;
}

/** Human list for errors and help: `US1 (datadoghq.com), …`. */
export function describeDatadogSites(): string {
  return DATADOG_SITE_NAMES.map((name) => `${name} (${DATADOG_SITES[name]})`).join(", ");
}
