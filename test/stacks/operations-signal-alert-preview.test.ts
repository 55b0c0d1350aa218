/**
 * The signal part of the alert preview: what the disk, inode, memory, certificate and credential
 * monitors would open from one check's series, at which level, and which window mutes each.
 */
import { maintenanceSchema } from "../../contract/definition/operations-schema";
import { signalsSchema } from "../../contract/definition/signals-schema";
import type { PreviewSeries } from "../../stacks/operations/alert-preview";
import { formatSignalAlertPreview, previewSignalAlerts } from "../../stacks/operations/signal-alert-preview";

/** Controller gauges as the checker tags them (contract/metrics.ts: environment and controller). */
const gauge = (metric: string, controller: string, value: number): PreviewSeries => ({ metric, value, tags: ["vpn_environment:acme-prod", `controller:${controller}`] });

const series = [
  gauge("vpn.controller.disk_used_pct", "vns3-a", 95),
  gauge("vpn.controller.disk_used_pct", "vns3-b", 100),
  gauge("vpn.controller.inode_used_pct", "vns3-a", 89),
  gauge("vpn.controller.memory_used_pct", "vns3-a", 40),
  gauge("vpn.controller.cert_days_left", "vns3-a", 5),
  gauge("vpn.controller.cert_days_left", "vns3-b", 29.5),
  gauge("vpn.controller.credential_days_left", "vns3-a", 31),
  { metric: "vpn.tunnel.status", value: 0, tags: ["vpn_environment:acme-prod", "controller:vns3-a", "tunnel:to-acme"] },
];
const now = new Date("2024-06-01T23:30:00Z");

describe("signal alert preview", () => {
  it("opens a warning or critical per controller at the definition's default thresholds", () => {
    const alerts = previewSignalAlerts({ definition: { name: "acme-prod", signals: signalsSchema.parse(undefined) }, series, now });

    expect(alerts).toEqual([
      { monitor: "disk", group: "controller:vns3-a", level: "warning", value: 95 },
      { monitor: "disk", group: "controller:vns3-b", level: "critical", value: 100 },
      { monitor: "certificate", group: "controller:vns3-a", level: "critical", value: 5 },
      { monitor: "certificate", group: "controller:vns3-b", level: "warning", value: 29.5 },
    ]);
    expect(formatSignalAlertPreview(alerts.slice(0, 1).concat(alerts.slice(2, 3)))).toEqual([
      "disk        controller:vns3-a  warning: 95%",
      "certificate controller:vns3-a  critical: 5 days left",
    ]);
  });

  it("follows the thresholds and switches of the definition", () => {
    const signals = signalsSchema.parse({ health: { inodeUsedPct: 85 }, expiry: { enabled: false } });

    expect(previewSignalAlerts({ definition: { name: "acme-prod", signals }, series, now }).map((a) => `${a.monitor} ${a.group} ${a.level}`)).toEqual([
      "disk controller:vns3-a warning",
      "disk controller:vns3-b critical",
      "inodes controller:vns3-a warning",
    ]);
  });

  it("names the controller window that mutes an alert, and only for its controller", () => {
    const maintenance = maintenanceSchema.parse([
      { name: "vns3-b patching", rrule: "FREQ=WEEKLY;BYDAY=SU", start: "2024-06-02T01:00", duration: "2h", timezone: "Europe/Berlin", controller: "vns3-b" },
    ]);

    const alerts = previewSignalAlerts({ definition: { name: "acme-prod", signals: signalsSchema.parse(undefined), maintenance }, series, now });

    expect(alerts.map((a) => [a.monitor, a.group, a.mutedBy])).toEqual([
      ["disk", "controller:vns3-a", undefined],
      ["disk", "controller:vns3-b", "vns3-b patching"],
      ["certificate", "controller:vns3-a", undefined],
      ["certificate", "controller:vns3-b", "vns3-b patching"],
    ]);
  });
});
