/**
 * Which definition's bucket holds a fleet overview's state: chosen once, in one place. A definition
 * marks it with `backend.fleet: true`; when the definitions of its organization that keep state in S3 all
 * name one location (bucket, region, KMS key, lock table), the choice needs no marker. Never "the first by name": onboarding an environment whose name sorts
 * earlier, with another bucket, would move the state and the next apply would start from empty.
 * Pure (no cdktf).
 */
import type { EnvironmentDefinition } from "../contract/definition/schema";

type Holder = Pick<EnvironmentDefinition, "name" | "backend" | "aws"> & Partial<Pick<EnvironmentDefinition, "deploy">>;

/** Where a definition's state lives, as the fleet stack would share it. */
const locationOf = (env: Holder): string =>
  env.backend.type === "s3" ? JSON.stringify([env.backend.bucket, env.backend.region ?? env.aws.region, env.backend.kmsKeyId ?? null, env.backend.dynamodbTable ?? null]) : "local";

/** The holder, `undefined` when no definition keeps state in S3 (local fleet state), or why it cannot be chosen. */
export function fleetStateHolder<T extends Holder>(environments: readonly T[]): { holder: T | undefined } | { problem: string } {
  const s3 = environments.filter((env) => env.backend.type === "s3");
  const marked = s3.filter((env) => env.backend.type === "s3" && env.backend.fleet === true);
  if (marked.length === 1) return { holder: marked[0] };
  const names = (list: readonly T[]) => list.map((env) => env.name).sort().join(", ");
  if (marked.length > 1) return { problem: `backend.fleet is true in ${names(marked)}: exactly one definition per fleet overview (one per Datadog organization) holds its state` };
  if (new Set(s3.map(locationOf)).size <= 1) return { holder: s3[0] };
  return { problem: `backend.fleet: ${names(s3)} keep state in different S3 locations; set backend.fleet: true in the one whose bucket holds the fleet overview's state (until now: its key vpn-monitor/fleet*.tfstate), so that it never moves` };
}
