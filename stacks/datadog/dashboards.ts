/**
 * The environment and fleet dashboards as plain data, in the shape of Datadog's v1 dashboard API
 * (`v1.Dashboard` in `@datadog/datadog-api-client`): `datadog_dashboard_json` deploys exactly this
 * body, and the tests validate it against the published model. Pure: no cdktf here.
 */
import { METRICS, TAG_KEYS } from "../../contract/metrics";
import { datadogAppUrl, type DatadogSiteName } from "../../contract/datadog-sites";
import { environmentTag } from "./operations";
import { group, metricQuery, queryTable, RED_WHEN_DOWN, timeseries, type Widget } from "./widgets";
import { signalWidgets, type SignalWidgetsInput, type SignalWidgetThresholds } from "./signal-widgets";

/** A dashboard body as the API takes it (snake_case keys). */
export type DashboardBody = Readonly<Record<string, unknown>>;

/**
 * Fields Datadog's v1 dashboard API answers with even when they were not sent (`notify_list: []`,
 * `template_variables: []`, in the answers recorded by DataDog/terraform-provider-datadog's
 * `TestAccDatadogDashboardJSONNoDiff` cassette), written out: `datadog_dashboard_json` compares the
 * body it was given with the API's answer after removing only `id`, `author_*`, `created_at`,
 * `modified_at`, `url` and widget ids (`prepResource`, `datadog/resource_datadog_dashboard_json.go`),
 * so an omitted one shows a change on every plan.
 */
const API_FILLED_FIELDS = { notify_list: [] as string[], template_variables: [] as Widget[] };

/** Title of an environment's dashboard; the fleet dashboard finds it by this title. */
export function environmentDashboardTitle(environment: string): string {
  return `VPN tunnels: ${environment}`;
}

/** Title of the fleet dashboard. */
export const FLEET_DASHBOARD_TITLE = "VPN tunnels: fleet";

/** The Datadog dashboard search for a title: a link that survives a dashboard being recreated. */
export function dashboardSearchUrl(site: DatadogSiteName, title: string): string {
  return `${datadogAppUrl(site)}/dashboard/lists?q=${encodeURIComponent(title)}`;
}

/**
 * The "grid" of tunnels or controllers: one coloured column, lowest (down) first.
 */
function statusTable(title: string, name: string, query: string, formats: readonly Widget[], alias: string): Widget {
  return queryTable(title, "asc", [{ name, query, alias, formats }]);
}

/** What an environment's dashboard shows. */
export interface EnvironmentDashboardInput {
  /** Value of the `vpn_environment` tag. */
  readonly environment: string;
  /** The availability SLO's id (a Terraform reference), for its widget. @default no SLO widget */
  readonly sloId?: string;
  /** SLO timeframe shown first in the SLO widget. @default 30d */
  readonly sloTimeframe?: "7d" | "30d" | "90d";
  /** Signal groups that are on, for their widgets (stacks/datadog/signal-widgets.ts). @default no signal widgets */
  readonly signals?: Pick<SignalWidgetsInput, "enabled" | "pushTunnelEvents"> & { readonly thresholds?: SignalWidgetThresholds };
}

/**
 * One screen per environment: tunnel grid (down first), disabled tunnels apart, controllers with
 * their failure reason, unmatched subnets, availability, and the checker's own health.
 */
export function environmentDashboard(input: EnvironmentDashboardInput): DashboardBody {
  const scope = `{${environmentTag(input.environment)}}`;
  const { tunnel, endpoint, controller, reason } = TAG_KEYS;
  const timeframe = input.sloTimeframe ?? "30d";
  return {
    title: environmentDashboardTitle(input.environment),
    description: `Every IPsec tunnel of VPN environment ${input.environment}, as the checker last reported it. Managed by cdktf: edit the code, not the dashboard.`,
    layout_type: "ordered",
    reflow_type: "auto",
    tags: [],
    ...API_FILLED_FIELDS,
    widgets: [
      group("Tunnels", [
        statusTable(
          "Tunnel status (1 connected, 0 down)",
          "status",
          `min:${METRICS.tunnelStatus}${scope} by {${tunnel},${endpoint},${controller}}`,
          RED_WHEN_DOWN,
          "status",
        ),
        statusTable(
          "Disabled tunnels (never page)",
          "disabled",
          `max:${METRICS.tunnelDisabled}${scope} by {${tunnel},${controller}}`,
          [{ comparator: ">=", value: 1, palette: "white_on_gray" }],
          "disabled",
        ),
        {
          definition: {
            type: "manage_status",
            title: "Monitors of this environment",
            query: `tag:"${environmentTag(input.environment)}"`,
            summary_type: "groups",
            display_format: "countsAndList",
            sort: "status,asc",
            hide_zero_counts: true,
          },
        },
      ]),
      group("Controllers", [
        statusTable(
          "Controllers (1 readable, 0 with the reason)",
          "up",
          `min:${METRICS.controllerUp}${scope} by {${controller},${reason}}`,
          RED_WHEN_DOWN,
          "up",
        ),
        statusTable(
          "Subnets no tunnel carries, per controller",
          "unmatched",
          `max:${METRICS.subnetUnmatched}${scope} by {${controller}}`,
          [
            { comparator: ">", value: 0, palette: "white_on_yellow" },
            { comparator: "<=", value: 0, palette: "white_on_green" },
          ],
          "unmatched subnets",
        ),
      ]),
      ...(input.sloId === undefined
        ? []
        : [
            group("Availability", [
              {
                definition: {
                  type: "slo",
                  title: "Minutes with every tunnel up",
                  view_type: "detail",
                  view_mode: "overall",
                  slo_id: input.sloId,
                  show_error_budget: true,
                  time_windows: [...new Set([timeframe, "7d", "previous_month"])],
                },
              },
            ]),
          ]),
      group("Checker", [
        timeseries("Check duration (ms)", `max:${METRICS.checkDuration}${scope}`, "line", { name: "duration" }),
        timeseries("Datadog delivery attempts of the previous check", `max:${METRICS.deliveryAttempts}${scope}`, "bars", { name: "attempts" }),
      ]),
      ...(input.signals === undefined ? [] : signalWidgets({ environment: input.environment, enabled: input.signals.enabled, ...(input.signals.pushTunnelEvents === undefined ? {} : { pushTunnelEvents: input.signals.pushTunnelEvents }) }, input.signals.thresholds)),
    ],
  };
}

/** One environment as the fleet dashboard lists it. */
export interface FleetEnvironment {
  readonly name: string;
  /** Where its dashboard opens. */
  readonly dashboardLink: string;
}

/**
 * Count of series at 0 per environment, from a 0/1 gauge: `sum` is the number at 1, `avg` the
 * share at 1, so `sum / avg - sum` is the number at 0 (no value when every series is 0, which the
 * `min` column shows red).
 */
function downPerEnvironment(title: string, metric: string, downAlias: string): Widget {
  const scope = `{$${TAG_KEYS.environment}}`;
  const by = ` by {${TAG_KEYS.environment}}`;
  return {
    definition: {
      type: "query_table",
      title,
      requests: [
        {
          response_format: "scalar",
          queries: [
            metricQuery("up", `sum:${metric}${scope}${by}`, "last"),
            metricQuery("share", `avg:${metric}${scope}${by}`, "last"),
            metricQuery("worst", `min:${metric}${scope}${by}`, "last"),
          ],
          formulas: [
            {
              formula: "up / share - up",
              alias: downAlias,
              conditional_formats: [
                { comparator: ">", value: 0, palette: "white_on_red" },
                { comparator: "<=", value: 0, palette: "white_on_green" },
              ],
            },
            { formula: "worst", alias: "all up (1) / any down (0)", conditional_formats: RED_WHEN_DOWN },
          ],
          sort: { count: 500, order_by: [{ type: "formula", index: 1, order: "asc" }] },
        },
      ],
    },
  };
}

/** The fleet: tunnels down and controllers unreadable per environment, and a link to each environment's dashboard. */
export function fleetDashboard(environments: readonly FleetEnvironment[], title: string = FLEET_DASHBOARD_TITLE): DashboardBody {
  const links = environments.map((env) => `- [${env.name}](${env.dashboardLink})`).join("\n");
  return {
    title,
    description: "Every VPN environment monitored by the checker. Managed by cdktf: edit the code, not the dashboard.",
    layout_type: "ordered",
    reflow_type: "auto",
    tags: [],
    ...API_FILLED_FIELDS,
    template_variables: [
      {
        name: TAG_KEYS.environment,
        prefix: TAG_KEYS.environment,
        available_values: environments.map((env) => env.name),
        // `defaults`, a list: `default` is deprecated and cannot be used with it (v1
        // DashboardTemplateVariable in @datadog/datadog-api-client).
        defaults: ["*"],
      },
    ],
    widgets: [
      downPerEnvironment("Tunnels down per environment", METRICS.tunnelStatus, "tunnels down"),
      downPerEnvironment("Controllers unreadable per environment", METRICS.controllerUp, "controllers unreadable"),
      { definition: { type: "note", content: `**Environment dashboards**\n\n${links}`, background_color: "white", font_size: "14", text_align: "left", show_tick: false, has_padding: true } },
    ],
  };
}
