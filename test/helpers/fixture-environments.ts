/**
 * The tests' own environment definitions (test/fixtures/environments/): copies of the shipped
 * examples, without their `deploy: false`. Tests read these, never environments/, so the examples
 * may change or go freely; test/stacks/shipped-examples.test.ts is the one test of the examples.
 */
import * as path from "node:path";

/** The folder: synthesize it (`VPN_MONITOR_ENVIRONMENTS_DIR`) or copy from it. */
export const FIXTURE_ENVIRONMENTS = path.resolve(__dirname, "../fixtures/environments");

/** One fixture file by its name: `fixtureEnvironment("example-multi.yaml")`. */
export function fixtureEnvironment(file: string): string {
  return path.join(FIXTURE_ENVIRONMENTS, file);
}
