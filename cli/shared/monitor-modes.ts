/**
 * What each alert mode of the schema (`MONITOR_MODES`, contract/definition/schema.ts) does, in the
 * words every CLI uses: onboard's `--mode` help, its prompt and the file's comment line, and the
 * alert preview of `npm run check`. Keyed by the schema's own type, so a mode added there fails to
 * compile here until it is described.
 */
import { MONITOR_MODE_ALIASES, MONITOR_MODES, type MonitorMode } from "../../contract/definition/schema";

export const MODE_DESCRIPTIONS: Readonly<Record<MonitorMode, string>> = {
  simple: "one alert (one ticket) for the environment when any tunnel drops",
  partner: "one alert (one ticket) per partner endpoint, naming the partner, however many of its tunnels are down",
  tunnel: "one alert (one ticket) per tunnel",
};

/** `multi is read as tunnel`, for every earlier spelling the schema still accepts. */
export const MODE_ALIAS_NOTES: readonly string[] = Object.entries(MONITOR_MODE_ALIASES).map(([alias, mode]) => `${alias} is read as ${mode}`);

/** `one of simple, partner, tunnel (multi is read as tunnel)`. */
export const MODES_EXPECTED = `one of ${MONITOR_MODES.join(", ")}${MODE_ALIAS_NOTES.length > 0 ? ` (${MODE_ALIAS_NOTES.join(", ")})` : ""}`;

/** The mode a definition's value stands for (an alias read as its mode), or undefined. */
export function canonicalMode(value: string): MonitorMode | undefined {
  const mode = MONITOR_MODE_ALIASES[value] ?? value;
  return (MONITOR_MODES as readonly string[]).includes(mode) ? (mode as MonitorMode) : undefined;
}
