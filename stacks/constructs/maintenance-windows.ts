/**
 * An environment's maintenance windows: one Datadog downtime schedule per window, muting the
 * environment's monitors (found by their `vpn_environment:<name>` monitor tag) for the window's
 * scope while each occurrence lasts.
 */
import { DowntimeSchedule } from "@cdktf/provider-datadog/lib/downtime-schedule";
import { Construct } from "constructs";
import { downtimeDuration, type MaintenanceWindow } from "../../contract/definition/operations-schema";
import { environmentTag, maintenanceMessage, maintenanceScope } from "../datadog/operations";

/**
 * The recurrence's `start`, as Terraform addresses it: `recurring_schedule` is a single nested block
 * and `recurrence` a list block in the provider's schema (datadog/fwprovider/
 * resource_datadog_downtime_schedule.go), and the attribute is Optional + Computed. The API may move
 * a start that has passed forward (provider issues #2640, #2535: "inconsistent result after apply"),
 * and the start matters only when the schedule is created, so a later difference is no change.
 */
export const DOWNTIME_START_PATH = "recurring_schedule.recurrence[0].start";

export interface MaintenanceWindowsProps {
  /** Value of the `vpn_environment` tag, on the monitors and in the scope. */
  readonly environment: string;
  /** Validated `maintenance:` entries of the definition. */
  readonly windows: readonly MaintenanceWindow[];
}

export class MaintenanceWindows extends Construct {
  /** One per window, in definition order. */
  readonly schedules: readonly DowntimeSchedule[];

  constructor(scope: Construct, id: string, props: MaintenanceWindowsProps) {
    super(scope, id);
    this.schedules = props.windows.map(
      (window, i) =>
        new DowntimeSchedule(this, `window-${i}`, {
          scope: maintenanceScope(props.environment, window),
          // Monitor tags, not ids: the monitors live in the same stack but a tag also covers any
          // monitor added to the environment later.
          monitorIdentifier: { monitorTags: [environmentTag(props.environment)] },
          recurringSchedule: {
            timezone: window.timezone,
            recurrence: [{ rrule: window.rrule, start: window.start, duration: downtimeDuration(window.durationMinutes) }],
          },
          displayTimezone: window.timezone,
          message: maintenanceMessage(props.environment, window),
          // False, written out: true would mute the recovery of an alert raised *before* the window
          // that recovers inside it, so the ticket the webhook opened never closes. A tunnel that
          // drops and recovers inside the window is muted anyway (Datadog's Downtimes page,
          // "Disable first recovery notification"; docs/stacks.md).
          muteFirstRecoveryNotification: false,
          // Still down when the window ends: page then (Datadog's defaults, written out so a
          // review shows them).
          notifyEndStates: ["alert", "no data", "warn"],
          notifyEndTypes: ["expired"],
          lifecycle: { ignoreChanges: [DOWNTIME_START_PATH] },
        }),
    );
  }
}
