/**
 * `npm run preflight -- <target>` and `npm run preflight -- --list`
 *
 * Before Terraform starts: the definitions validate (as synth validates them), the target's state
 * survives the machine (CI refuses local state), and every sensitive variable its stack declares
 * is set, with the Datadog provider's keys. A target is an environment or a fleet overview
 * (`fleet`, `fleet-<site>`; see ./targets.ts). No network call, so it runs anywhere. Exits 0 when
 * ready, 1 with one line per problem, 2 on a wrong command line. Prints variable names, never values.
 *
 * `--list` prints every deploy target, one per line: what the deploy workflow deploys with
 * `all` and the drift check plans. `--secret-names` prints `{"<target>": ["WEBHOOK_SECRET_<VAR>", …]}`:
 * the secrets the plan job reads by name (./plan-secrets.ts).
 *
 * `--deployed <git-ref>` (or `--first-deploy`, nothing deployed yet) also judges the start of each
 * maintenance window the deploy adds: the target's own windows, since deploying one target adds
 * no other's (a fleet overview has none); with `--list`, every environment's (the pull-request check).
 */
import * as path from "node:path";
import { preflight, detectRunner, fleetPreflight, type PreflightResult } from "./core";
import { deployTargets, notDeployTargetReason, type DeployTarget } from "./targets";
import { didYouMean } from "../../contract/definition/did-you-mean";
import { EnvironmentValidationError, loadEnvironments, type LoadedEnvironment } from "../../stacks/environment/load";
import { lastValue, type CommandSpec } from "../shared/args";
import { deployedWindowsAt, DeployedRefError } from "./deployed-windows";
import { ticketingSecretNames } from "./plan-secrets";
import type { CliIo } from "../shared/io";
import { EXIT, runAsScript, runCommand } from "../shared/runner";

export const PREFLIGHT_COMMAND: CommandSpec = {
  usage: "npm run preflight --",
  summary: "Check a deploy target before planning: valid definitions, durable state under CI, sensitive variables set. No network.",
  operands: [
    {
      name: "target",
      help: "an environment (the definition file's name without extension), or a fleet overview: fleet, or fleet-<site> when environments use several Datadog sites",
      required: false,
    },
  ],
  flags: [
    { name: "list", help: "print every deploy target instead, one per line: each environment, then each fleet overview" },
    {
      name: "secret-names",
      help: "print, as one JSON object, each deploy target's ticketing secrets (WEBHOOK_SECRET_<VAR>) that the deploy's plan job reads from <target>_plan, instead",
    },
    {
      name: "deployed",
      value: "<git-ref>",
      help: "the commit last deployed (e.g. HEAD~1): each maintenance window the target's definition did not have yet must start in the future (with --list: every environment's)",
    },
    { name: "first-deploy", help: "nothing is deployed yet: every maintenance window of the target (with --list: of every environment) must start in the future" },
    { name: "now", value: "<time>", help: "judge those starts at this time instead of now: ISO 8601 with its offset, e.g. 2027-01-03T01:00-05:00" },
  ],
  footer: [
    "Reads VPN_MONITOR_ENVIRONMENTS_DIR (default: environments/); CI=true or GITHUB_ACTIONS=true refuses local state.",
    "Exit codes: 0 ready, 1 not ready or invalid definitions, 2 wrong command line.",
  ].join("\n"),
};

const DEFAULT_ENVIRONMENTS_DIR = path.resolve(__dirname, "../../environments");

/** Why `requested` is not a target, with the closest one; a bare `fleet` among per-site fleets gets their names. */
function unknownTarget(requested: string, targets: readonly DeployTarget[], where: string): string {
  const fleets = targets.filter((t) => t.kind === "fleet").map((t) => t.name);
  if (requested === "fleet" && fleets.length > 1) {
    return `preflight: no fleet overview named "fleet" in ${where}: the environments use ${fleets.length} Datadog sites, and one dashboard shows one Datadog org, so there is one fleet overview per site: ${fleets.join(", ")}`;
  }
  const suggestion = didYouMean(
    requested,
    targets.map((t) => t.name),
  );
  return `preflight: no environment or fleet overview named "${requested}" in ${where}${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`;
}

/** `2027-01-03T01:00-05:00`: an instant with its offset, so it cannot be read in the wrong zone; else undefined. */
function parseInstant(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})$/i.test(text)) return undefined;
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** Runs preflight (or `--list`) for the command line in `argv`; resolves with the exit code. */
export function main(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommand(PREFLIGHT_COMMAND, argv, io, async (args) => {
    const requested = args.operands[0];
    const list = args.switches.get("list") === true;
    const secretNames = args.switches.get("secret-names") === true;
    if (list && secretNames) {
      io.stderr.write("error: --list and --secret-names print different things: give one of them\n");
      return EXIT.usage;
    }
    const listing = list ? "--list" : secretNames ? "--secret-names" : undefined;
    if ((requested === undefined || requested === "") === (listing === undefined)) {
      io.stderr.write(`error: ${listing !== undefined ? `${listing} takes no <target>` : "missing <target>: an environment or fleet overview name (or --list)"}\n`);
      io.stderr.write(`Every flag: ${PREFLIGHT_COMMAND.usage} --help\n`);
      return EXIT.usage;
    }

    const dir = io.env.VPN_MONITOR_ENVIRONMENTS_DIR || DEFAULT_ENVIRONMENTS_DIR;
    const nowText = lastValue(args, "now");
    const now = nowText === undefined ? new Date() : parseInstant(nowText);
    if (now === undefined) {
      io.stderr.write(`error: --now ${JSON.stringify(nowText)}: expected an ISO 8601 time with its offset, e.g. 2027-01-03T01:00-05:00 or 2027-01-03T06:00Z\n`);
      return EXIT.usage;
    }
    const deployedRef = lastValue(args, "deployed");
    const firstDeploy = args.switches.get("first-deploy") === true;
    if (firstDeploy && deployedRef !== undefined) {
      io.stderr.write("error: --first-deploy says nothing is deployed yet, --deployed names what is: give one of them\n");
      return EXIT.usage;
    }
    let loaded: LoadedEnvironment[];
    try {
      // With --deployed or --first-deploy, the windows this deploy adds are judged by their start (docs/stacks.md).
      const judged = listing !== undefined ? () => true : (environment: string) => environment === requested;
      const startCheck = deployedRef === undefined && !firstDeploy ? {} : { now, deployedWindows: deployedWindowsAt(dir, deployedRef, judged) };
      loaded = loadEnvironments(dir, { labelRoot: io.cwd, ...startCheck });
    } catch (error) {
      if (error instanceof DeployedRefError) {
        io.stderr.write(`error: ${error.message}\n`);
        return EXIT.usage;
      }
      if (!(error instanceof EnvironmentValidationError)) throw error;
      io.stderr.write(`preflight: ${error.message}\n`);
      return EXIT.failed;
    }
    const targets = deployTargets(loaded);
    if (list) {
      io.stdout.write(targets.map((t) => `${t.name}\n`).join(""));
      return EXIT.ok;
    }
    if (secretNames) {
      io.stdout.write(`${JSON.stringify(ticketingSecretNames(targets))}\n`);
      return EXIT.ok;
    }

    const name = requested!;
    const target = targets.find((t) => t.name === name);
    if (!target) {
      io.stderr.write(`${notDeployTargetReason(name, loaded, (file) => path.relative(io.cwd, file) || file) ?? unknownTarget(name, targets, path.relative(io.cwd, dir) || ".")}\n`);
      return EXIT.failed;
    }
    const labelOf = (file: string) => path.relative(io.cwd, file) || file;
    const result: PreflightResult =
      target.kind === "fleet"
        ? fleetPreflight({ stack: target.stack, environments: target.environments, labelOf, env: io.env })
        : preflight({ environment: target.environments[0]!, label: labelOf(target.environments[0]!.file), env: io.env });
    const runner = detectRunner(io.env) === "ci" ? "CI" : "a workstation";
    for (const note of result.notes) io.stdout.write(`preflight ${name}: ${note}\n`);
    if (!result.ok) {
      for (const problem of result.problems) io.stderr.write(`preflight ${name}: ${problem}\n`);
      io.stderr.write(`preflight ${name}: not ready on ${runner} (${result.problems.length} problem${result.problems.length === 1 ? "" : "s"})\n`);
      return EXIT.failed;
    }
    io.stdout.write(`preflight ${name}: ready on ${runner}\n`);
    return EXIT.ok;
  });
}

if (require.main === module) runAsScript(main);
