/**
 * Deploy targets: what `npm run preflight -- <target>`, the deploy and drift workflows and
 * `npm run review -- --list-changed` name. Every stack is `vpn-monitor-<target>`: an environment's
 * target is its name, a fleet overview's is `fleet` (one Datadog site) or `fleet-<site>`
 * (stacks/fleet-stack.ts `fleetGroups`). The schema reserves `fleet` and `fleet-…` as environment
 * names, so a target's name alone says which kind it is. Pure: definitions in, names out.
 */
import { resourceNames } from "../../contract/names";
import { FLEET_STACK_ID } from "../../contract/names";
import { BOOTSTRAP_STACK_ID } from "../../stacks/bootstrap/names";
import { fleetGroups } from "../../stacks/fleet-groups";
import type { LoadedEnvironment } from "../../stacks/environment/load";

/** `vpn-monitor-`: what every stack id starts with, from the one naming rule. */
const STACK_PREFIX = resourceNames({ name: "", ticketing: {} }).stack;

/** One stack the workflows plan and apply. */
export interface DeployTarget {
  /** `acme-prod`, `fleet`, `fleet-eu`: the GitHub environments are `<name>` and `<name>_plan`. */
  readonly name: string;
  /** `vpn-monitor-<name>`: the synthesized stack (`cdktf.out/stacks/<stack>`). */
  readonly stack: string;
  readonly kind: "environment" | "fleet";
  /** The environment itself, or every environment the fleet overview shows (on its Datadog site). */
  readonly environments: readonly LoadedEnvironment[];
}

/** Whether a stack id is a fleet overview's: `vpn-monitor-fleet` or `vpn-monitor-fleet-<site>`. */
export function isFleetStack(stack: string): boolean {
  return stack === FLEET_STACK_ID || stack.startsWith(`${FLEET_STACK_ID}-`);
}

/** Whether a stack id is a bootstrap stack's: `vpn-monitor-bootstrap` or `vpn-monitor-bootstrap-<account>` (stacks/bootstrap/names.ts). */
export function isBootstrapStack(stack: string): boolean {
  return stack === BOOTSTRAP_STACK_ID || stack.startsWith(`${BOOTSTRAP_STACK_ID}-`);
}

/** The deploy target of a stack id: `vpn-monitor-fleet-eu` → `fleet-eu`. */
export function targetOfStack(stack: string): string {
  return stack.startsWith(STACK_PREFIX) ? stack.slice(STACK_PREFIX.length) : stack;
}

/** Every deploy target of a set of definitions: each environment (in load order), then each fleet overview (by site). */
export function deployTargets(loaded: readonly LoadedEnvironment[]): DeployTarget[] {
  const environments = loaded.map(
    (environment): DeployTarget => ({ name: environment.definition.name, stack: resourceNames(environment.definition).stack, kind: "environment", environments: [environment] }),
  );
  const loadedOf = new Map(loaded.map((environment) => [environment.definition, environment]));
  const fleets = fleetGroups(loaded.map((environment) => environment.definition)).map(
    (group): DeployTarget => ({ name: targetOfStack(group.stackId), stack: group.stackId, kind: "fleet", environments: group.environments.map((d) => loadedOf.get(d)!) }),
  );
  return [...environments, ...fleets];
}
