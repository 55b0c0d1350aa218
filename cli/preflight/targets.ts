/**
 * Deploy targets: what `npm run preflight -- <target>`, the deploy and drift workflows and
 * `npm run review -- --list-changed` name. Every stack is `vpn-monitor-<target>`: an environment's
 * target is its name, a fleet overview's is `fleet` (one Datadog site) or `fleet-<site>`
 * (stacks/fleet-stack.ts `fleetGroups`). The schema reserves `fleet` and `fleet-…` as environment
 * names, so a target's name alone says which kind it is. An example (`deploy: false`) is synthesized
 * but no target. Pure: definitions in, names out.
 */
import { resourceNames } from "../../contract/names";
import { FLEET_STACK_ID } from "../../contract/names";
import { BOOTSTRAP_STACK_ID } from "../../stacks/bootstrap/names";
import { fleetGroups } from "../../stacks/fleet-groups";
import { isDeployTarget } from "../../contract/definition/schema";
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

/**
 * Every deploy target of a set of definitions: each environment (in load order), then each fleet
 * overview (by site). An example (`deploy: false`) is none, nor a fleet overview of examples only.
 */
export function deployTargets(loaded: readonly LoadedEnvironment[]): DeployTarget[] {
  return allStacks(loaded).filter((target) => target.environments.some((environment) => isDeployTarget(environment.definition)));
}

/** The targets synth makes a stack for that are no deploy target: the examples, and fleet overviews of examples only. */
export function exampleTargets(loaded: readonly LoadedEnvironment[]): string[] {
  const targets = new Set(deployTargets(loaded).map((target) => target.name));
  return allStacks(loaded)
    .map((target) => target.name)
    .filter((name) => !targets.has(name));
}

/** The environment and fleet stacks synth makes of the definitions, deploy targets or not. */
function allStacks(loaded: readonly LoadedEnvironment[]): DeployTarget[] {
  const environments = loaded.map(
    (environment): DeployTarget => ({ name: environment.definition.name, stack: resourceNames(environment.definition).stack, kind: "environment", environments: [environment] }),
  );
  const loadedOf = new Map(loaded.map((environment) => [environment.definition, environment]));
  const fleets = fleetGroups(loaded.map((environment) => environment.definition)).map(
    (group): DeployTarget => ({ name: targetOfStack(group.stackId), stack: group.stackId, kind: "fleet", environments: group.environments.map((d) => loadedOf.get(d)!) }),
  );
  return [...environments, ...fleets];
}

/**
 * Why `name` is not a deploy target although synth makes its stack (an example, or a fleet overview
 * of examples only), naming the files and the field; undefined when synth makes no such stack.
 */
export function notDeployTargetReason(name: string, loaded: readonly LoadedEnvironment[], labelOf: (file: string) => string): string | undefined {
  const stack = allStacks(loaded).find((target) => target.name === name);
  if (stack === undefined || stack.environments.some((environment) => isDeployTarget(environment.definition))) return undefined;
  const files = stack.environments.map((environment) => labelOf(environment.file)).join(", ");
  const example = "an example: synthesized and reviewed, never deployed or drift-checked";
  return stack.kind === "fleet"
    ? `preflight: ${name} is not a deploy target: it shows examples only (${files}: deploy: false; ${example}); it becomes one when an environment it shows is a deploy target`
    : `preflight: ${name} is not a deploy target: ${files}: deploy: false (${example}); to deploy it, put real ids in the file and delete that line`;
}
