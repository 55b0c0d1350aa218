/**
 * `npm run alerts -- <environment> [--apply] [--test] [--remove]`: VNS3's own alerts as a second
 * path into Datadog (docs/push.md). Reads each controller's webhooks and alerts and shows what it
 * would create, change or leave; `--apply` makes it so (one webhook and one alert per controller,
 * named `vpn-monitor-<environment>`, nothing else touched); `--test` has each controller send a test
 * alert and, with DD_APP_KEY, confirms the event arrived in Datadog; `--remove` deletes both.
 *
 * Credentials and pinning are the checker's (cli/check/setup.ts): VNS3_<CONTROLLER>_PASSWORD or
 * _API_TOKEN, else the controller's secret; DD_API_KEY, else the Datadog secret the checker reads.
 * The API key is written into the controller's webhook header and never printed.
 *
 * Exit codes: 0 done (or nothing to do), 1 a controller or Datadog failed, 2 usage or configuration.
 */
import * as path from "node:path";
import { datadogApiUrl } from "../../contract/datadog-sites";
import type { ControllerConfig } from "../../handler/config";
import { Deadline } from "../../handler/deadline";
import { Redactor } from "../../handler/log";
import { resolveApiKey, type SecretsClient } from "../../handler/secrets";
import { tag } from "../../handler/tags";
import { TAG_KEYS } from "../../contract/metrics";
import type { EnvironmentDefinition } from "../../contract/definition/schema";
import { announcedSetup, commandSecrets } from "../check/setup";
import { lastValue, type CommandSpec, type ParsedArgs } from "../shared/args";
import type { CliIo } from "../shared/io";
import { loadNamedEnvironment } from "../shared/named-environment";
import { EXIT, runAsScript, runCommand } from "../shared/runner";
import { terminalSafe } from "../shared/terminal-text";
import { ControllerApi, ControllerApiError } from "./controller-api";
import { desiredAlert, desiredWebhook } from "./desired";
import { findTestEvent } from "./datadog-events";
import { describePlan, planChanges, planController, type ControllerPlan } from "./plan";
import { AdminRequestError } from "./vns3-admin";

export const ALERTS_COMMAND: CommandSpec = {
  usage: "npm run alerts --",
  summary: "Set up, test or remove VNS3's own alerts (webhook + alert per controller) that post Datadog events. Without a flag: show what would change.",
  operands: [{ name: "environment", help: "environment name (environments/<name>.yaml) with push.enabled: true" }],
  flags: [
    { name: "apply", help: "create or update the environment's webhook and alert on every controller" },
    { name: "test", help: "have each controller send a test alert; with DD_APP_KEY, confirm it arrived in Datadog" },
    { name: "remove", help: "delete the environment's alert and webhook from every controller (works with push off)" },
    { name: "dir", value: "<dir>", help: "folder of the environment definitions (default: environments)" },
    { name: "timeout", value: "<seconds>", help: "time budget per controller request, 1-120 (default: 15)" },
    { name: "wait", value: "<seconds>", help: "with --test and DD_APP_KEY: how long to look for the event in Datadog, 0-600 (default: 120)" },
  ],
  footer: [
    "Credentials as for npm run check: VNS3_<CONTROLLER>_PASSWORD (+ _USERNAME) or VNS3_<CONTROLLER>_API_TOKEN, else the controller's secret;",
    "  DD_API_KEY, else the environment's Datadog secret. DD_APP_KEY (optional, read access to events) lets --test confirm delivery.",
    "Exit codes: 0 done, 1 a controller or Datadog failed, 2 usage or configuration.",
  ].join("\n"),
};

/** Options of {@link main} beyond the process. */
export interface AlertsCliDeps {
  /** Secrets Manager client. @default one for the environment's region */
  readonly secretsClient?: SecretsClient;
  /** Pause between looks for the test event. @default 5000 ms */
  readonly pollIntervalMs?: number;
}

function seconds(args: ParsedArgs, flag: string, fallback: number, min: number, max: number): number | string {
  const text = lastValue(args, flag);
  if (text === undefined) return fallback;
  const value = Number(text);
  return Number.isFinite(value) && value >= min && value <= max ? value : `--${flag} ${JSON.stringify(text)}: expected seconds, ${min}-${max}`;
}

function validate(args: ParsedArgs): string[] {
  const problems: string[] = [];
  for (const [flag, fallback, min, max] of [
    ["timeout", 15, 1, 120],
    ["wait", 120, 0, 600],
  ] as const) {
    const value = seconds(args, flag, fallback, min, max);
    if (typeof value === "string") problems.push(value);
  }
  if (args.switches.get("remove") === true && (args.switches.get("apply") === true || args.switches.get("test") === true)) {
    problems.push("--remove goes alone: it cannot be combined with --apply or --test");
  }
  return problems;
}

/** Runs the command; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo, deps: AlertsCliDeps = {}): Promise<number> {
  return runCommand(ALERTS_COMMAND, argv, io, (args) => alerts(args, io, deps), { validate });
}

/** The Datadog API base: DD_API_URL as the checker takes it, else `https://api.<site>`. */
function apiBase(def: EnvironmentDefinition, configured: string | undefined): string {
  return configured ?? datadogApiUrl(def.datadog.site);
}

async function alerts(args: ParsedArgs, io: CliIo, deps: AlertsCliDeps): Promise<number> {
  const redactor = new Redactor();
  const out = (text: string) => void io.stdout.write(redactor.redact(`${text}\n`));
  const err = (text: string) => void io.stderr.write(redactor.redact(`${text}\n`));
  const name = args.operands[0] as string;
  const dir = lastValue(args, "dir") ?? "environments";
  const apply = args.switches.get("apply") === true;
  const test = args.switches.get("test") === true;
  const remove = args.switches.get("remove") === true;
  const requestMs = (seconds(args, "timeout", 15, 1, 120) as number) * 1000;
  const waitMs = (seconds(args, "wait", 120, 0, 600) as number) * 1000;

  const environment = loadNamedEnvironment(io.cwd, dir, name, err);
  if (environment === undefined) return EXIT.usage;
  const def = environment.definition;
  const file = path.relative(io.cwd, environment.file);
  if (!def.push.enabled && !remove) {
    err(`error: ${file}: push.enabled is false; set push.enabled: true to set up VNS3's alerts (or use --remove to take them away)`);
    return EXIT.usage;
  }
  const setup = announcedSetup(def, io.env, redactor, err);
  if (setup === undefined) return EXIT.usage;
  const config = setup.config;
  const appKey = io.env.DD_APP_KEY !== undefined && io.env.DD_APP_KEY !== "" ? io.env.DD_APP_KEY : undefined;
  if (appKey !== undefined) redactor.add(appKey);

  const { secrets, credentials: credentialsResolver } = commandSecrets(def.aws.region, redactor, deps.secretsClient);
  const base = apiBase(def, config.datadog.apiUrl);

  let apiKey = "";
  if (!remove) {
    try {
      apiKey = await resolveApiKey(config.datadog.apiKey, secrets, Deadline.after(10_000), redactor);
    } catch (error) {
      err(`error: Datadog API key unavailable (${setup.apiKeySource}): ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.failed;
    }
  }

  const mode = remove ? "remove" : apply ? "apply" : "plan";
  out(`Environment ${def.name} (${file}): ${mode}${test ? " + test" : ""}; webhook and alert named vpn-monitor-${def.name}; events ${def.push.events.join(", ")}`);
  let failed = false;
  const testStarted = Math.floor(Date.now() / 1000) - 60;
  const tested: string[] = [];
  for (const controller of config.controllers) {
    out(`\n${controller.name} (${controller.host}:${controller.port})`);
    try {
      const credentials = await credentialsResolver.resolve(controller, Deadline.after(10_000));
      const api = new ControllerApi({ host: controller.host, port: controller.port, tlsSha256: controller.tlsSha256 }, credentials, () => AbortSignal.timeout(requestMs));
      const ok = await runController(api, controller, def, { apiKey, apiUrl: base, apply, test, remove }, out);
      if (ok === "tested") tested.push(controller.name);
    } catch (error) {
      failed = true;
      if (error instanceof ControllerApiError || error instanceof AdminRequestError) err(`error: ${controller.name}: ${terminalSafe(error.message, 400)}`);
      else if (error instanceof Error && error.name === "SecretError") err(`error: ${controller.name}: credentials unavailable (${setup.credentialSources[controller.name] ?? "?"}): ${error.message}`);
      else throw error;
    }
  }

  if (test && tested.length > 0) {
    if (appKey === undefined) out(`\nDD_APP_KEY is not set: not confirming in Datadog that the test events arrived (search the event explorer for tags:${tag(TAG_KEYS.environment, def.name)}).`);
    else {
      for (const controller of tested) {
        const tags = [tag(TAG_KEYS.environment, def.name), tag(TAG_KEYS.controller, controller)];
        const found = await findTestEvent({ apiUrl: base, apiKey: apiKey, appKey, tags, start: testStarted, waitMs, intervalMs: deps.pollIntervalMs ?? 5_000 });
        if (found.ok) out(`${controller}: the test event arrived in Datadog: ${terminalSafe(found.title)} [${found.tags.map((t) => terminalSafe(t, 100)).join(", ")}]`);
        else {
          failed = true;
          err(`error: ${controller}: ${found.problem}`);
        }
      }
    }
  }
  return failed ? EXIT.failed : EXIT.ok;
}

interface RunOptions {
  readonly apiKey: string;
  readonly apiUrl: string;
  readonly apply: boolean;
  readonly test: boolean;
  readonly remove: boolean;
}

/** Plans, applies, tests or removes one controller's push setup; says what it did. */
async function runController(api: ControllerApi, controller: ControllerConfig, def: EnvironmentDefinition, options: RunOptions, out: (text: string) => void): Promise<"tested" | "done"> {
  const [webhooks, alerts] = [await api.webhooks(), await api.alerts()];
  const resourceName = `vpn-monitor-${def.name}`;
  const others = webhooks.filter((w) => w.name !== resourceName).length + alerts.filter((a) => a.name !== resourceName).length;
  if (options.remove) {
    const mineAlerts = alerts.filter((a) => a.name === resourceName);
    const mineWebhooks = webhooks.filter((w) => w.name === resourceName);
    for (const alert of mineAlerts) {
      await api.deleteAlert(alert.id);
      out(`  alert ${resourceName}: removed (id ${alert.id})`);
    }
    for (const webhook of mineWebhooks) {
      await api.deleteWebhook(webhook.id);
      out(`  webhook ${resourceName}: removed (id ${webhook.id})`);
    }
    if (mineAlerts.length + mineWebhooks.length === 0) out(`  nothing named ${resourceName}: nothing to remove`);
    out(`  ${others} other webhook(s) and alert(s) left alone`);
    return "done";
  }

  const published = await api.alertEvents();
  if (published !== undefined) {
    const missing = def.push.events.filter((e) => !published.includes(e));
    if (missing.length > 0) throw new ControllerApiError(`this controller does not publish the event(s) ${missing.join(", ")} (GET /api/alert_events lists ${published.map((e) => terminalSafe(e, 40)).join(", ")})`, 200);
  }
  const input = { environment: def.name, controller: controller.name, apiUrl: options.apiUrl, apiKey: options.apiKey, events: def.push.events };
  const plan: ControllerPlan = planController(webhooks, alerts, { webhook: desiredWebhook(input), alert: desiredAlert(input) });
  for (const line of describePlan(resourceName, plan)) out(`  ${line}`);
  out(`  ${others} other webhook(s) and alert(s) left alone`);

  let alertId = plan.alert.action === "create" ? undefined : plan.alert.id;
  if (options.apply && planChanges(plan)) {
    let webhookId: number;
    if (plan.webhook.action === "create") webhookId = await api.createWebhook(plan.webhook.fields);
    else {
      webhookId = plan.webhook.id;
      if (plan.webhook.action === "update") await api.updateWebhook(webhookId, plan.webhook.fields);
    }
    if (plan.alert.action === "create") alertId = await api.createAlert(plan.alert.fields, webhookId);
    else if (plan.alert.action === "update") await api.updateAlert(plan.alert.id, plan.alert.fields, webhookId);
    out(`  applied: webhook id ${webhookId}, alert id ${alertId}`);
  } else if (options.apply) {
    out("  applied: nothing to change");
  } else if (planChanges(plan)) {
    out("  (not applied: run with --apply)");
  }

  if (!options.test) return "done";
  if (alertId === undefined || (!options.apply && planChanges(plan))) {
    out("  test skipped: the alert is not set up as wanted yet (run with --apply --test)");
    return "done";
  }
  const answer = await api.testAlert(alertId);
  out(`  test alert sent: the controller answered status ${terminalSafe(answer.status, 40)}, code ${terminalSafe(answer.code, 40)}: ${terminalSafe(answer.message)}`);
  return "tested";
}

if (require.main === module) runAsScript(main);
