/**
 * The dashboard JSON pieces both dashboards build from (stacks/datadog/dashboards.ts and
 * signal-widgets.ts), in the shape of the v1 Dashboard model of `@datadog/datadog-api-client`.
 */

/** A widget, or any nested part of one, as dashboard JSON. */
export type Widget = Record<string, unknown>;

/** Red below 1, green at 1: a 1/0 status (`vpn.tunnel.status`, `vpn.tunnel.phase1`…). */
export const RED_WHEN_DOWN = [
  { comparator: "<", value: 1, palette: "white_on_red" },
  { comparator: ">=", value: 1, palette: "white_on_green" },
];

/** `metrics` query of the formula-and-function API. */
export function metricQuery(name: string, query: string, aggregator?: string): Widget {
  return { data_source: "metrics", name, query, ...(aggregator === undefined ? {} : { aggregator }) };
}

/** One column of a {@link queryTable}: its query's name, the query, the header and its colours. */
export interface TableColumn {
  readonly name: string;
  readonly query: string;
  readonly alias: string;
  /** Conditional formats; none leaves the column uncoloured. */
  readonly formats: readonly Widget[];
}

/** A table with one row per group and each column's current value, coloured by its own rule. */
export function queryTable(title: string, order: "asc" | "desc", columns: readonly TableColumn[]): Widget {
  return {
    definition: {
      type: "query_table",
      title,
      requests: [
        {
          response_format: "scalar",
          queries: columns.map((c) => metricQuery(c.name, c.query, "last")),
          formulas: columns.map((c) => ({ formula: c.name, alias: c.alias, ...(c.formats.length === 0 ? {} : { conditional_formats: c.formats }) })),
          sort: { count: 500, order_by: [{ type: "formula", index: 0, order }] },
        },
      ],
    },
  };
}

/** A titled group of widgets, laid out in order. */
export function group(title: string, widgets: readonly Widget[]): Widget {
  return { definition: { type: "group", title, layout_type: "ordered", show_title: true, widgets } };
}

/** How a {@link timeseries} widget draws. */
export interface TimeseriesOptions {
  /** The query's name in the formula. @default "q" */
  readonly name?: string;
  /** @default false */
  readonly showLegend?: boolean;
  /** Event overlays (`{ q, tags_execution }`). @default none */
  readonly events?: readonly Widget[];
}

/** A one-query timeseries widget. */
export function timeseries(title: string, query: string, displayType: "line" | "bars", options: TimeseriesOptions = {}): Widget {
  const name = options.name ?? "q";
  return {
    definition: {
      type: "timeseries",
      title,
      show_legend: options.showLegend ?? false,
      requests: [{ response_format: "timeseries", display_type: displayType, queries: [metricQuery(name, query)], formulas: [{ formula: name }] }],
      ...(options.events === undefined ? {} : { events: options.events }),
    },
  };
}
