/**
 * The push path's event monitors in the synthesized stack: only with push on, the BGP page per
 * controller (a formula over two event counts, recovering on bgp_session_up), the informational
 * reboot alert, nothing for tunnel events; every body valid against @datadog/datadog-api-client's
 * models (test/helpers/datadog-models.ts).
 */
import { datadogModelProblems, validateSynthesizedDatadog } from "../helpers/datadog-models";
import { baseDefinition, synthEnvironment } from "../helpers/synth";
import { pushTunnelEventsQuery } from "../../stacks/constructs/push-monitors";

type Resource = Record<string, unknown>;
const monitorsOf = (stack: ReturnType<typeof synthEnvironment>): Resource[] => Object.values(stack.resource.datadog_monitor ?? {});
const eventMonitors = (stack: ReturnType<typeof synthEnvironment>) => monitorsOf(stack).filter((m) => m.type === "event-v2 alert");

describe("push monitors", () => {
  it("are not created while push is off", () => {
    const stack = synthEnvironment(baseDefinition());

    expect(eventMonitors(stack)).toEqual([]);
  });

  it("page once per controller for a BGP session down and recover on bgp_session_up: downs minus ups in the last day", () => {
    const stack = synthEnvironment(baseDefinition({ push: { enabled: true } }));

    const bgp = eventMonitors(stack).find((m) => m.name === "VNS3 BGP session down: acme-prod");
    const count = (name: string, search: string) => ({
      name,
      data_source: "events",
      compute: [{ aggregation: "count" }],
      search: { query: search },
      group_by: [{ facet: "controller" }],
    });
    expect(bgp).toMatchObject({
      type: "event-v2 alert",
      query: 'formula("2 * down - bgp").last("1d") > 0',
      monitor_thresholds: { critical: "0" },
      notify_no_data: false,
      tags: ["vpn_environment:acme-prod", "managed-by:cdktf"],
    });
    // Exactly these two counts: `bgp` holds every down, so 2 * down - bgp is downs minus ups.
    expect(bgp?.variables).toEqual({
      event_query: [
        count("down", "tags:vpn_environment:acme-prod event:bgp_session_down"),
        count("bgp", "tags:vpn_environment:acme-prod (event:bgp_session_down OR event:bgp_session_up)"),
      ],
    });
    expect(String(bgp?.message)).toContain("@webhook-vpn-tickets-acme-prod");
    expect(String(bgp?.message)).toContain("{{#is_recovery}}BGP on {{controller.name}} (acme-prod) is up again: bgp_session_up arrived");
    expect(String(bgp?.message)).toContain("A session down for more than 1d shows recovered without it");
  });

  it("fall back to downs in the last five minutes when bgp_session_up is not pushed, and say so", () => {
    const stack = synthEnvironment(baseDefinition({ push: { enabled: true, events: ["bgp_session_down"] } }));

    const bgp = eventMonitors(stack).find((m) => m.name === "VNS3 BGP session down: acme-prod");
    expect(bgp?.query).toBe('events("tags:vpn_environment:acme-prod event:bgp_session_down").rollup("count").by("controller").last("5m") > 0');
    expect(bgp?.variables).toBeUndefined();
    expect(String(bgp?.message)).toContain("bgp_session_up is not pushed (push.events): this alert closes by itself five minutes after the last bgp_session_down");
  });

  it("make the reboot alert informational: it mentions nobody", () => {
    const stack = synthEnvironment(baseDefinition({ push: { enabled: true } }));

    const reboot = eventMonitors(stack).find((m) => m.name === "VNS3 controller rebooted: acme-prod");
    expect(reboot?.query).toBe('events("tags:vpn_environment:acme-prod event:controller_reboot").rollup("count").by("controller").last("5m") > 0');
    expect(String(reboot?.message)).not.toContain("@");
    expect(reboot?.priority).toBe("5");
  });

  it("make no monitor for tunnel events, nor for an event the controllers do not push", () => {
    const stack = synthEnvironment(baseDefinition({ push: { enabled: true, events: ["tunnel_down", "tunnel_up", "bgp_session_down"] } }));

    expect(eventMonitors(stack).map((m) => m.name)).toEqual(["VNS3 BGP session down: acme-prod"]);
    expect(pushTunnelEventsQuery("acme-prod")).toBe("tags:vpn_environment:acme-prod (event:tunnel_down OR event:tunnel_up)");
  });

  it("are valid against the Datadog API client's monitor model", () => {
    const stack = synthEnvironment(baseDefinition({ push: { enabled: true } }));

    const checked = validateSynthesizedDatadog(stack as unknown as Record<string, unknown>).filter((r) => r.address.includes("push-monitors") || r.address.includes("push_monitors"));
    expect(checked.map((r) => r.model)).toEqual(["v1.Monitor", "v1.Monitor"]);
    expect(datadogModelProblems(stack as unknown as Record<string, unknown>)).toEqual([]);
  });

  it("have their formula variables checked too: an aggregation the API lacks or an unmapped kind of variable is reported", () => {
    const stack = synthEnvironment(baseDefinition({ push: { enabled: true } }));
    const bgp = eventMonitors(stack).find((m) => m.name === "VNS3 BGP session down: acme-prod") as { variables: { event_query: { compute: { aggregation: string }[] }[] } };
    bgp.variables.event_query[0]!.compute[0]!.aggregation = "last";
    (bgp.variables as Record<string, unknown>)["cloud_cost_query"] = [{ name: "cost" }];

    const problems = datadogModelProblems(stack as unknown as Record<string, unknown>);
    expect(problems).toEqual([
      expect.stringMatching(/\(v1\.Monitor\) variables\.cloud_cost_query: Terraform attribute the validator does not map/),
      expect.stringMatching(/\(v1\.Monitor\) \$\.options\.variables\[0\]: matches no member of MonitorFormulaAndFunctionQueryDefinition .*compute\.aggregation: is "last", expected one of MonitorFormulaAndFunctionEventAggregation/),
      expect.stringMatching(/\(v1\.Monitor\) \$\.options\.variables\[0\]: the client's ObjectSerializer left it unparsed/),
    ]);
  });

  it("overlay pushed tunnel drops and recoveries on the dashboard's re-establishment graph, only with push on", () => {
    const widgetTitled = (stack: ReturnType<typeof synthEnvironment>, prefix: string) => {
      const dashboard = JSON.parse(Object.values(stack.resource.datadog_dashboard_json ?? {})[0]!.dashboard as string) as { widgets: { definition: { widgets?: { definition: { title?: string; events?: unknown } }[] } }[] };
      return dashboard.widgets.flatMap((w) => w.definition.widgets ?? []).find((w) => w.definition.title?.startsWith(prefix))?.definition;
    };
    const on = widgetTitled(synthEnvironment(baseDefinition({ push: { enabled: true } })), "Unexpected re-establishments");
    const off = widgetTitled(synthEnvironment(baseDefinition()), "Unexpected re-establishments");
    expect(on).toMatchObject({ title: "Unexpected re-establishments per tunnel, pushed tunnel drops as events", events: [{ q: "tags:vpn_environment:acme-prod (event:tunnel_down OR event:tunnel_up)", tags_execution: "and" }] });
    expect(pushTunnelEventsQuery("acme-prod")).toBe("tags:vpn_environment:acme-prod (event:tunnel_down OR event:tunnel_up)");
    expect(off).toEqual(expect.objectContaining({ title: "Unexpected re-establishments per tunnel" }));
    expect(off).not.toHaveProperty("events");
  });
});
