/**
 * An environment's maintenance windows: one Datadog downtime schedule per window, muting the
 * environment's monitors (found by their `vpn_environment:<name>` monitor tag) for the window's
 * scope while each occurrence lasts.
 */
import { DowntimeSchedule } from "@cdktf/provider-datadog/lib/downtime-schedule";
import { Construct } from "constructs";
import { downtimeDuration, type MaintenanceWindow } from "../environment/operations-schema";
import { environmentTag, maintenanceMessage, maintenanceScope } from "../datadog/operations";

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
          // A tunnel that drops and recovers inside the window must not send a lone recovery
          // for an alert nobody was told about.
          muteFirstRecoveryNotification: true,
          // Still down when the window ends: page then (Datadog's defaults, written out so a
          // review shows them).
          notifyEndStates: ["alert", "no data", "warn"],
          notifyEndTypes: ["expired"],
        }),
    );
  }
}
