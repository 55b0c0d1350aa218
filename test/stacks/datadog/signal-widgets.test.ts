/**
 * The environment dashboard's signal widgets: only for enabled groups, exact queries, the reboot
 * event overlay, and the whole body valid against the v1 `Dashboard` model of
 * @datadog/datadog-api-client (test/helpers/datadog-models.ts).
 */
import { SIGNAL_GROUPS, type SignalGroup } from "../../../contract/signals";
import { environmentDashboard } from "../../../stacks/datadog/dashboards";
import { rebootEventQuery, signalWidgets } from "../../../stacks/datadog/signal-widgets";
import { validateAgainstModel } from "../../helpers/datadog-models";
import { baseDefinition, onlyResource, synthEnvironment } from "../../helpers/synth";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const widgets = (groups: readonly SignalGroup[]) => signalWidgets({ environment: "acme-prod", enabled: new Set(groups) }) as Json[];
const titles = (ws: Json[]) => ws.map((w) => w.definition.title as string);
const queries = (ws: Json[]) => ws.flatMap((g) => (g.definition.widgets as Json[]).flatMap((w) => (w.definition.requests as Json[]).flatMap((r) => (r.queries as Json[]).map((q) => q.query as string))));

describe("signal widgets", () => {
  it("show traffic, phase state and the controller health row when every group is on", () => {
    expect(titles(widgets(SIGNAL_GROUPS))).toEqual(["Traffic", "Phase state", "Controller health"]);
    expect(queries(widgets(SIGNAL_GROUPS))).toEqual([
      "sum:vpn.tunnel.bytes_in{vpn_environment:acme-prod} by {tunnel}.as_count()",
      "sum:vpn.tunnel.bytes_out{vpn_environment:acme-prod} by {tunnel}.as_count()",
      "sum:vpn.tunnel.reestablished{vpn_environment:acme-prod} by {tunnel}.as_count()",
      "min:vpn.tunnel.phase1{vpn_environment:acme-prod} by {tunnel,controller}",
      "min:vpn.tunnel.phase2{vpn_environment:acme-prod} by {tunnel,controller}",
      "max:vpn.controller.disk_used_pct{vpn_environment:acme-prod} by {controller}",
      "max:vpn.controller.inode_used_pct{vpn_environment:acme-prod} by {controller}",
      "max:vpn.controller.memory_used_pct{vpn_environment:acme-prod} by {controller}",
      "min:vpn.controller.uptime_seconds{vpn_environment:acme-prod} by {controller}",
      "min:vpn.controller.cert_days_left{vpn_environment:acme-prod} by {controller}",
      "min:vpn.controller.credential_days_left{vpn_environment:acme-prod} by {controller}",
      "min:vpn.controller.uptime_seconds{vpn_environment:acme-prod} by {controller}",
    ]);
  });

  it("overlay the checker's reboot events on the uptime graph", () => {
    const uptime = (widgets(["health"])[0]!.definition.widgets as Json[])[1]!;
    expect(uptime.definition.events).toEqual([{ q: 'tags:vpn_environment:acme-prod "controller rebooted"', tags_execution: "and" }]);
    expect(rebootEventQuery("acme-prod")).toBe('tags:vpn_environment:acme-prod "controller rebooted"');
  });

  it.each<[SignalGroup[], string[]]>([
    [[], []],
    [["traffic"], ["Traffic"]],
    [["phase"], ["Phase state"]],
    [["expiry"], ["Controller health"]],
  ])("show only the enabled groups %j", (groups, expected) => {
    expect(titles(widgets(groups))).toEqual(expected);
  });

  it("show days left without the health columns or the uptime graph when only expiry is on", () => {
    const row = widgets(["expiry"])[0]!.definition.widgets as Json[];
    expect(row).toHaveLength(1);
    expect((row[0]!.definition.requests[0].formulas as Json[]).map((f) => f.alias)).toEqual(["certificate days left", "credential days left"]);
  });

  it("colour the health columns by the monitors' warning thresholds", () => {
    const row = signalWidgets({ environment: "acme-prod", enabled: new Set(["health"]) }, { diskUsedPct: 80, inodeUsedPct: 85, memoryUsedPct: 95 }) as Json[];
    const formulas = (row[0]!.definition.widgets as Json[])[0]!.definition.requests[0].formulas as Json[];
    expect(formulas.slice(0, 3).map((f) => f.conditional_formats[0].value)).toEqual([80, 85, 95]);
  });

  it("keep the dashboard body valid against the published model", () => {
    const body = environmentDashboard({ environment: "acme-prod", signals: { enabled: new Set(SIGNAL_GROUPS) } });
    expect(validateAgainstModel("v1", "Dashboard", body)).toEqual([]);
  });

  it("follow the definition's switches in the synthesized dashboard", () => {
    const off = { enabled: false };
    const dashboard = (signals: Parameters<typeof baseDefinition>[0]) =>
      JSON.parse(onlyResource(synthEnvironment(baseDefinition(signals)), "datadog_dashboard_json").dashboard as string) as Json;
    expect(titles(dashboard({}).widgets).slice(-3)).toEqual(["Traffic", "Phase state", "Controller health"]);
    expect(titles(dashboard({ signals: { traffic: off, phase: off, health: off, expiry: off } }).widgets)).not.toContain("Traffic");
    expect(titles(dashboard({ signals: { traffic: off, phase: off, health: off, expiry: off } }).widgets).slice(-1)).toEqual(["Checker"]);
  });
});
