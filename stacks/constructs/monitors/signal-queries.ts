/**
 * The signal monitors of an environment as plain data: query, thresholds, options and message of
 * each, from the definition's `signals:` section (contract/definition/signals-schema.ts). Pure, so
 * the exact strings are tested without synthesizing; signal-monitors.ts only wires them up.
 *
 * Paging rule, as for the tunnel monitors (queries.ts): each condition notifies once, and a
 * configuration change never does.
 * - No signal monitor notifies on missing data (`show_no_data`): a silent checker pages once, from
 *   the checker monitor; a removed tunnel or controller, or a group switched off, stays quiet.
 * - A group that is off creates no monitor at all (the checker sends none of its metrics).
 * - Silence needs a full window of evidence and skips new groups for one window (a tunnel that
 *   appears after a deploy or a rename has no history yet).
 * - A tunnel that is down does not alert a second time for silence: its status enters the query.
 */
import { METRICS, TAG_KEYS } from "../../../contract/metrics";
import type { MonitorMode } from "../../../contract/definition/schema";
import type { SignalsDefinition } from "../../../contract/definition/signals-schema";
import { ON_MISSING_DATA, windowExpression, withExtras, type MessageExtras, type OnMissingData } from "./queries";

/** Which signal monitor: the key in {@link signalMonitorSpecs}' result and in resource ids. */
export type SignalMonitorKind = "silence" | "reestablished" | "disk" | "inodes" | "memory" | "certificate" | "credential";

/** One monitor as data; the construct adds the environment's common options. */
export interface SignalMonitorSpec {
  readonly kind: SignalMonitorKind;
  readonly name: string;
  readonly query: string;
  /** `monitor_thresholds`, as the provider takes them (strings). */
  readonly thresholds: { readonly critical: string; readonly warning?: string };
  readonly message: string;
  readonly onMissingData: OnMissingData;
  /** Datadog priority, when the signal fixes one (re-establishments: low). @default the definition's monitor.priority */
  readonly priority?: number;
  /** @default false */
  readonly requireFullWindow: boolean;
  /** Seconds a new group is skipped. @default none */
  readonly newGroupDelaySeconds?: number;
}

export interface SignalMonitorInput {
  readonly environment: string;
  /** The definition's monitor mode: the default grouping of the silence monitor. */
  readonly mode: MonitorMode;
  readonly signals: SignalsDefinition;
}

const scopeOf = (environment: string, filter?: string) => `{${TAG_KEYS.environment}:${environment}${filter === undefined ? "" : ` AND ${filter}`}}`;
const tagVariable = (key: string) => `{{${key}.name}}`;

/** `(tunnel:a OR tunnel:b)`: the boolean scope filter of Datadog metric queries. */
function anyOf(key: string, values: readonly string[]): string {
  return values.length === 1 ? `${key}:${values[0]}` : `(${values.map((v) => `${key}:${v}`).join(" OR ")})`;
}

/** The silence monitor's group-by tag. */
export function silenceGroupBy(input: Pick<SignalMonitorInput, "mode" | "signals">): string {
  const by = input.signals.traffic.silence?.by ?? (input.mode === "partner" ? "partner" : "tunnel");
  return by === "partner" ? TAG_KEYS.endpoint : TAG_KEYS.tunnel;
}

/**
 * Connected for the whole window, yet no inbound byte. Per point of the window the formula is
 * `bytes_in + 1 - status`: 0 only when the group's tunnels are all connected (`min` of status 1)
 * and together received nothing; any tunnel down at that point adds up to 1, any byte adds more.
 * The monitor alerts when the highest point of the window is still 0 (`max(...) <= 0`). So a down
 * tunnel, which the tunnel monitor already pages for, never alerts here as well: Datadog has no
 * monitor dependencies, and a composite would need a second monitor per condition; one formula
 * query keeps it to one monitor. A count queried `.as_count()` is aligned as 0 where no point came
 * (Datadog's Interpolation docs, `default_zero`), so a missed traffic point reads as silence only
 * while the status says connected; where status is missing (checker silent, controller
 * unreadable) the formula has no value and the group shows NO DATA, silently.
 */
export function silenceMonitorQuery(input: SignalMonitorInput): string | undefined {
  const silence = input.signals.traffic.silence;
  if (!input.signals.traffic.enabled || silence === undefined) return undefined;
  const filter = silence.tunnels !== undefined ? anyOf(TAG_KEYS.tunnel, silence.tunnels) : silence.partners !== undefined ? anyOf(TAG_KEYS.endpoint, silence.partners) : undefined;
  const scope = scopeOf(input.environment, filter);
  const by = ` by {${silenceGroupBy(input)}}`;
  return `max(${windowExpression(silence.minutes)}):( sum:${METRICS.tunnelBytesIn}${scope}${by}.as_count() + 1 - min:${METRICS.tunnelStatus}${scope}${by} ) <= 0`;
}

/** Re-establishments counted over the last hour, one group per tunnel whatever the mode. */
export function reestablishedMonitorQuery(input: SignalMonitorInput): string {
  return `sum(last_1h):sum:${METRICS.tunnelReestablished}${scopeOf(input.environment)} by {${TAG_KEYS.tunnel}}.as_count() >= ${input.signals.traffic.reestablished.perHour}`;
}

/**
 * A controller percentage at or above the warning threshold over the last 5 minutes (`min` over
 * time, so one odd reading does not open a ticket). Critical at 100: full, when the IPsec daemon
 * stops; the warning is the ticket to act on.
 */
export function healthMonitorQuery(environment: string, metric: string): string {
  return `min(last_5m):max:${metric}${scopeOf(environment)} by {${TAG_KEYS.controller}} >= 100`;
}

/** Days left, lowest over the last hour: warning at `warningDays`, critical at `criticalDays`. */
export function expiryMonitorQuery(input: SignalMonitorInput, metric: string): string {
  return `min(last_1h):min:${metric}${scopeOf(input.environment)} by {${TAG_KEYS.controller}} <= ${input.signals.expiry.criticalDays}`;
}

/** Signal messages end like every other monitor's (the webhook, then `ticketing.fallbackNotify`). */
const message = withExtras;

/** Monitor names, one rule per name like contract/names.ts. */
export function signalMonitorName(kind: SignalMonitorKind, environment: string): string {
  const titles: Record<SignalMonitorKind, string> = {
    silence: "VPN tunnel connected but silent",
    reestablished: "VPN tunnel re-established repeatedly",
    disk: "VNS3 controller disk filling",
    inodes: "VNS3 controller inodes filling",
    memory: "VNS3 controller memory pressure",
    certificate: "VNS3 controller certificate expiring",
    credential: "VNS3 controller API credential expiring",
  };
  return `${titles[kind]}: ${environment}`;
}

/** Every signal monitor the definition asks for; none for a group that is off. */
export function signalMonitorSpecs(input: SignalMonitorInput, extras: MessageExtras): SignalMonitorSpec[] {
  const { environment, signals } = input;
  const controller = tagVariable(TAG_KEYS.controller);
  const specs: SignalMonitorSpec[] = [];
  const silenceQuery = silenceMonitorQuery(input);
  if (silenceQuery !== undefined) {
    const minutes = signals.traffic.silence!.minutes;
    const group = silenceGroupBy(input);
    const subject = group === TAG_KEYS.endpoint ? `Partner ${tagVariable(group)}` : `Tunnel ${tagVariable(group)}`;
    specs.push({
      kind: "silence",
      name: signalMonitorName("silence", environment),
      query: silenceQuery,
      thresholds: { critical: "0" },
      message: message(
        [
          "{{#is_alert}}",
          `${subject} in VPN environment ${environment} has been connected for ${minutes} minutes without one inbound byte (${METRICS.tunnelBytesIn}).`,
          "VNS3 reports connected while a phase-2 SA exists on this side; the peer may not hold a matching one. Ask the partner whether their side is up and sending, compare SPIs on both sides, and restart the tunnel from the VNS3 IPsec page if the peer's SA is gone.",
          "{{/is_alert}}",
          "{{#is_recovery}}",
          `${subject} in VPN environment ${environment} carries inbound traffic again (or is no longer connected: the tunnel monitor covers that).`,
          "{{/is_recovery}}",
        ],
        extras,
      ),
      onMissingData: ON_MISSING_DATA.silent,
      // N minutes of silence need N minutes of evidence, not the first two points after a deploy.
      requireFullWindow: true,
      newGroupDelaySeconds: minutes * 60,
    });
  }
  if (signals.traffic.enabled) {
    const { perHour, priority } = signals.traffic.reestablished;
    specs.push({
      kind: "reestablished",
      name: signalMonitorName("reestablished", environment),
      query: reestablishedMonitorQuery(input),
      thresholds: { critical: String(perHour) },
      message: message(
        [
          "{{#is_alert}}",
          `Low priority, no page: tunnel ${tagVariable(TAG_KEYS.tunnel)} in VPN environment ${environment} was re-established at least ${perHour} times in the last hour (${METRICS.tunnelReestablished}: its SA was replaced long before its lifetime ran out).`,
          "It drops and comes back between checks. Compare the IKE and IPsec lifetimes, DPD settings and proposals with the partner, and read the VNS3 IPsec log around the re-establishments.",
          "{{/is_alert}}",
          "{{#is_recovery}}",
          `Tunnel ${tagVariable(TAG_KEYS.tunnel)} in VPN environment ${environment} has been stable for an hour.`,
          "{{/is_recovery}}",
        ],
        extras,
      ),
      onMissingData: ON_MISSING_DATA.silent,
      priority,
      requireFullWindow: false,
    });
  }
  if (signals.health.enabled) {
    const health: [SignalMonitorKind, string, number, string, string][] = [
      ["disk", METRICS.controllerDiskUsed, signals.health.diskUsedPct, "disk use", "Free space on the fullest mount (old logs, packet captures, backups) before the IPsec daemon stops writing."],
      ["inodes", METRICS.controllerInodeUsed, signals.health.inodeUsedPct, "inode use", "Remove many small files on the fullest mount (rotated logs, temporary files) before the IPsec daemon stops writing."],
      ["memory", METRICS.controllerMemoryUsed, signals.health.memoryUsedPct, "memory use", "Check the controller's load and plugins on its status page; resize the instance or restart plugins before tunnels suffer."],
    ];
    for (const [kind, metric, warning, what, runbook] of health) {
      specs.push({
        kind,
        name: signalMonitorName(kind, environment),
        query: healthMonitorQuery(environment, metric),
        thresholds: { critical: "100", warning: String(warning) },
        message: message(
          [
            "{{#is_warning}}",
            `VNS3 controller ${controller} in VPN environment ${environment}: ${what} is at {{value}}% (${metric}, warning at ${warning}%).`,
            runbook,
            "{{/is_warning}}",
            "{{#is_alert}}",
            `VNS3 controller ${controller} in VPN environment ${environment}: ${what} is at 100% (${metric}). ${runbook}`,
            "{{/is_alert}}",
            "{{#is_recovery}}",
            `VNS3 controller ${controller} in VPN environment ${environment}: ${what} is below ${warning}% again.`,
            "{{/is_recovery}}",
          ],
          extras,
        ),
        onMissingData: ON_MISSING_DATA.silent,
        requireFullWindow: false,
      });
    }
  }
  if (signals.expiry.enabled) {
    const { warningDays, criticalDays } = signals.expiry;
    const expiry: [SignalMonitorKind, string, string, string][] = [
      [
        "certificate",
        METRICS.controllerCertDaysLeft,
        "the pinned TLS certificate",
        "Renew the controller's certificate, pin the new fingerprint as tlsSha256Next first (`npm run fingerprint`), deploy, then install the certificate: the checker accepts both pins, so monitoring never goes dark.",
      ],
      [
        "credential",
        METRICS.controllerCredentialDaysLeft,
        "the API credential (credentialExpires in the definition)",
        "Create a new API token on the controller, put it in the controller's secret, and update credentialExpires in the definition.",
      ],
    ];
    for (const [kind, metric, what, runbook] of expiry) {
      specs.push({
        kind,
        name: signalMonitorName(kind, environment),
        query: expiryMonitorQuery(input, metric),
        thresholds: { critical: String(criticalDays), warning: String(warningDays) },
        message: message(
          [
            "{{#is_warning}}",
            `VNS3 controller ${controller} in VPN environment ${environment}: ${what} expires in {{value}} days (${metric}, warning at ${warningDays}).`,
            runbook,
            "{{/is_warning}}",
            "{{#is_alert}}",
            `VNS3 controller ${controller} in VPN environment ${environment}: ${what} expires in {{value}} days (${metric}, critical at ${criticalDays}); when it does, the checker cannot read the controller and all its tunnels go unmonitored.`,
            runbook,
            "{{/is_alert}}",
            "{{#is_recovery}}",
            `VNS3 controller ${controller} in VPN environment ${environment}: ${what} has more than ${warningDays} days left again.`,
            "{{/is_recovery}}",
          ],
          extras,
        ),
        onMissingData: ON_MISSING_DATA.silent,
        requireFullWindow: false,
      });
    }
  }
  return specs;
}
