/**
 * The ticketing secrets the deploy's plan job reads, by name: `npm run preflight -- --secret-names`.
 * GitHub expressions can look a secret up by a computed name (`secrets[<name>]`) but a step's
 * environment is a fixed list, so the plan job has a fixed number of slots (SECRET_0 … in
 * .github/workflows/deploy-environments.yml) and the `targets` job fills each target's slots with
 * the names its definition asks for. That way the plan job reads only those secrets, never the
 * whole `secrets` context. Pure: definitions in, names out.
 */
import { webhookSecretName } from "../../contract/github-setup";
import type { DeployTarget } from "./targets";

/** How many ticketing secrets the plan job reads (contract/github-setup.ts; the schema refuses more). */
export { PLAN_JOB_TICKETING_SLOTS } from "../../contract/github-setup";

/**
 * Per deploy target, the names of the GitHub environment secrets `WEBHOOK_SECRET_<VAR>` its plan
 * job reads from `<target>_plan`, one per `ticketing.secretVariables` entry in order; a fleet
 * overview has none (it has no webhook).
 */
export function ticketingSecretNames(targets: readonly DeployTarget[]): Record<string, string[]> {
  return Object.fromEntries(
    targets.map((target) => [target.name, target.kind === "environment" ? target.environments[0]!.definition.ticketing.secretVariables.map(webhookSecretName) : []]),
  );
}
