/**
 * The definition's `signals:` section: which of the checker's signal groups are on
 * (contract/signals.ts). Every group defaults to on; thresholds of the monitors that read them live
 * beside each switch.
 */
import { z } from "zod";

const groupSwitch = z.strictObject({
  /** Send this group's metrics and create its monitors. @default true */
  enabled: z.boolean({ message: "must be true or false" }).default(true),
});

export const signalsSchema = z
  .strictObject({
    /** `vpn.tunnel.bytes_in`, `bytes_out`, `reestablished`. */
    traffic: groupSwitch.prefault({}),
    /** `vpn.tunnel.phase1`, `phase2`. */
    phase: groupSwitch.prefault({}),
    /** `vpn.controller.uptime_seconds`, `disk_used_pct`, `inode_used_pct`, `memory_used_pct`. */
    health: groupSwitch.prefault({}),
    /** `vpn.controller.cert_days_left`, `credential_days_left`. */
    expiry: groupSwitch.prefault({}),
  })
  .prefault({});
