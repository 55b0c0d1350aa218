/**
 * The definition's `push:` section: VNS3's own alerts as a second path beside the poll
 * (docs/push.md). Off unless switched on; `npm run alerts` sets the controllers up, the stack adds
 * the event monitors, the checker reports `vpn.controller.push_configured`.
 */
import { z } from "zod";
import { DEFAULT_PUSH_EVENTS, VNS3_ALERT_EVENTS } from "../push";

export { DEFAULT_PUSH_EVENTS, pushResourceName, VNS3_ALERT_EVENTS, type Vns3AlertEvent } from "../push";

const eventName = z.enum(VNS3_ALERT_EVENTS, { message: `must be one of VNS3's alert events (${VNS3_ALERT_EVENTS.join(", ")})` });

export const pushSchema = z
  .strictObject({
    /** Set up VNS3 alerts on the controllers and the event monitors. @default false */
    enabled: z.boolean({ message: "must be true or false" }).default(false),
    /** Events the controllers push. @default tunnel_up, tunnel_down, bgp_session_up, bgp_session_down, controller_reboot */
    events: z
      .array(eventName, { message: "must be a list of VNS3 alert event names" })
      .min(1, { message: "needs at least one event (or set enabled: false)" })
      .default([...DEFAULT_PUSH_EVENTS]),
    /**
     * How often the checker reads the controllers' alerts for `vpn.controller.push_configured`, in
     * minutes. A removed alert is seen within this time; reading every minute would double the calls.
     * @default 15
     */
    checkEveryMinutes: z
      .number({ message: "must be a number of minutes (1-60)" })
      .int({ message: "must be a whole number of minutes (1-60)" })
      .min(1, { message: "must be at least 1 minute" })
      .max(60, { message: "must be at most 60 minutes" })
      .default(15),
  })
  .superRefine((push, ctx) => {
    const seen = new Map<string, number>();
    push.events.forEach((event, i) => {
      if (seen.has(event)) ctx.addIssue({ code: "custom", path: ["events", i], message: `repeats events[${seen.get(event)}] (${event})` });
      else seen.set(event, i);
    });
  })
  .prefault({});

export type PushDefinition = z.output<typeof pushSchema>;

