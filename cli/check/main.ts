/**
 * `npm run check -- <environment> [--send]`: one check of an environment through the checker's
 * own `runCheck` (handler/check.ts), configured by the checker's own parser (./setup.ts), from a
 * host that reaches the controllers. Prints every tunnel, the checker's own summary, the alerts the
 * environment's monitors would open now (and the maintenance window that mutes each), and exactly
 * what the Lambda would send; with --send the checker's Datadog sink sends it.
 *
 * Exit codes: 0 every controller read (and, with --send, Datadog accepted the series);
 * 1 a controller could not be read, or Datadog refused; 2 usage or configuration problem.
 * Tunnels that are down are data, not a failure of the check.
 */
import * as path from "node:path";
import { runCheck, type CheckResult } from "../../handler/check";
import { buildCheckReport, type ControllerReading } from "../../handler/core";
import { createDatadogSink, DeliveryError, type MetricsSink } from "../../handler/datadog-sink";
import { Deadline, systemClock, type Clock } from "../../handler/deadline";
import { createJsonLogger, Redactor, silentLogger } from "../../handler/log";
import { resolveApiKey, type SecretsClient } from "../../handler/secrets";
import { createVns3Reader, type Vns3Reader } from "../../handler/vns3-client";
import { lastValue, type CommandSpec, type ParsedArgs } from "../shared/args";
import type { CliIo } from "../shared/io";
import { loadNamedEnvironment } from "../shared/named-environment";
import { EXIT, runAsScript, runCommand } from "../shared/runner";
import { terminalSafe } from "../shared/terminal-text";
import { alertPreviewSection, controllerSection, datadogSection, summarySection } from "./report";
import { announcedSetup, commandSecrets } from "./setup";
import { TeeSink } from "./tee-sink";

export const CHECK_COMMAND: CommandSpec = {
  usage: "npm run check --",
  summary: "Run one check of an environment with the checker's own code and print every tunnel and what would be sent to Datadog.",
  operands: [{ name: "environment", help: "environment name (environments/<name>.yaml)" }],
  flags: [
    { name: "send", help: "post the series (and events) to Datadog through the checker's sink; without it nothing is sent" },
    { name: "dir", value: "<dir>", help: "folder of the environment definitions (default: environments)" },
    { name: "timeout", value: "<seconds>", help: "time budget of the whole check, 1-300 (default: 20)" },
    {
      name: "now",
      value: "<time>",
      help: "judge the alert preview's maintenance windows at this time instead of now: ISO 8601 with its offset, e.g. 2026-01-11T01:30-05:00 (nothing sent changes)",
    },
    { name: "verbose", help: "also print the checker's JSON log lines on stderr" },
  ],
  footer: [
    "Credentials, read without putting them on the command line (read -rs, then export):",
    "  VNS3_<CONTROLLER>_PASSWORD (+ _USERNAME, default api) or VNS3_<CONTROLLER>_API_TOKEN,",
    "  else the controller's secret (AWS default credential chain). With --send: DD_API_KEY, else the Datadog secret.",
    "Exit codes: 0 every controller read (and sent), 1 a controller unreadable or Datadog refused, 2 usage or configuration.",
  ].join("\n"),
};

/** Options of {@link main} beyond the process. */
export interface CheckCliDeps {
  /** Secrets Manager client. @default one for the environment's region, default credential chain */
  readonly secretsClient?: SecretsClient;
  /** Time source of the check (timestamps) and of the alert preview unless --now is given. @default systemClock */
  readonly clock?: Clock;
}

/** A time with its offset, so that it cannot be read in the wrong zone. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** `--now`: the instant, a problem, or undefined when not given. */
function previewTime(args: ParsedArgs): Date | string | undefined {
  const text = lastValue(args, "now");
  if (text === undefined) return undefined;
  const [year, month, day] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
  // Date would roll 2026-02-30 over into March: the calendar date must exist as written.
  const realDate = new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day && month >= 1 && month <= 12;
  const time = ISO_WITH_OFFSET.test(text) && realDate ? new Date(text) : undefined;
  return time !== undefined && !Number.isNaN(time.getTime())
    ? time
    : `--now ${JSON.stringify(text)}: expected an ISO 8601 time with its offset, e.g. 2026-01-11T01:30-05:00 or 2026-01-11T06:30Z`;
}

function timeoutSeconds(args: ParsedArgs): number | string {
  const text = lastValue(args, "timeout");
  if (text === undefined) return 20;
  const seconds = Number(text);
  return Number.isFinite(seconds) && seconds >= 1 && seconds <= 300 ? seconds : `--timeout ${JSON.stringify(text)}: expected seconds, 1-300`;
}

/** Keeps each controller's reading, so the tables print even when Datadog then refuses the series. */
function keepingReadings(reader: Vns3Reader, readings: Map<string, ControllerReading>): Vns3Reader {
  return {
    read: async (controller, credentials, deadline, want) => {
      const reading = await reader.read(controller, credentials, deadline, want);
      readings.set(controller.name, reading);
      return reading;
    },
  };
}

/** Runs the command; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo, deps: CheckCliDeps = {}): Promise<number> {
  const validate = (args: ParsedArgs) => {
    const timeout = timeoutSeconds(args);
    const now = previewTime(args);
    return [...(typeof timeout === "string" ? [timeout] : []), ...(typeof now === "string" ? [now] : [])];
  };
  return runCommand(CHECK_COMMAND, argv, io, (args) => check(args, io, deps), { validate });
}

async function check(args: ParsedArgs, io: CliIo, deps: CheckCliDeps): Promise<number> {
  // Every line goes through the redactor: it knows every credential this run has seen.
  const redactor = new Redactor();
  const out = (text: string) => void io.stdout.write(redactor.redact(`${text}\n`));
  const err = (text: string) => void io.stderr.write(redactor.redact(`${text}\n`));
  const name = args.operands[0] as string;
  const dir = lastValue(args, "dir") ?? "environments";
  const send = args.switches.get("send") === true;
  const verbose = args.switches.get("verbose") === true;

  try {
    const environment = loadNamedEnvironment(io.cwd, dir, name, err);
    if (environment === undefined) return EXIT.usage;
    const def = environment.definition;
    const setup = announcedSetup(def, io.env, redactor, err);
    if (setup === undefined) return EXIT.usage;
    const config = setup.config;

    const { secrets, credentials } = commandSecrets(def.aws.region, redactor, deps.secretsClient);
    const deadline = Deadline.after((timeoutSeconds(args) as number) * 1000);
    const clock = deps.clock ?? systemClock;
    const site = config.datadog.apiUrl ?? config.datadog.site;

    // With --send the API key comes first: no point reading controllers for a send that cannot happen.
    let datadog: MetricsSink | undefined;
    if (send) {
      try {
        const apiKey = await resolveApiKey(config.datadog.apiKey, secrets, deadline.cappedAt(10_000), redactor);
        datadog = createDatadogSink({ apiKey, site: config.datadog.site, apiUrl: config.datadog.apiUrl });
      } catch (error) {
        err(`error: Datadog API key unavailable (${setup.apiKeySource}): ${error instanceof Error ? error.message : String(error)}`);
        return EXIT.failed;
      }
    }

    const sink = new TeeSink(datadog);
    const readingsByName = new Map<string, ControllerReading>();
    const logger = verbose ? createJsonLogger({ redactor, write: (line) => void io.stderr.write(line) }) : silentLogger;
    let result: CheckResult | undefined;
    let deliveryError: DeliveryError | undefined;
    try {
      result = await runCheck(
        config,
        { reader: keepingReadings(createVns3Reader({ tunnelDetails: true }), readingsByName), credentials, sink, logger, clock },
        deadline,
        send ? {} : { datadogReserveMs: 0 },
      );
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      deliveryError = error;
    }
    const readings = result?.readings ?? config.controllers.map((c) => readingsByName.get(c.name));
    const known = readings.filter((r): r is ControllerReading => r !== undefined);
    // The checker's own summary; when Datadog refused the series, the same pure core on the same readings.
    const summary = result?.summary ?? buildCheckReport({ environment: config.environment, readings: known, timestamp: Math.floor(clock.now() / 1000) }).summary;

    out(`Check of ${def.name} (${path.join(dir, path.basename(environment.file))}), ${config.controllers.length} controller${config.controllers.length === 1 ? "" : "s"}`);
    config.controllers.forEach((controller, i) => {
      out("");
      const reading = readings[i];
      const health = summary.health?.find((h) => h.controller === controller.name);
      const lines = controllerSection(controller, reading, setup.credentialSources[controller.name], summary.subnets.find((s) => s.controller === controller.name), sink.events, {
        tunnels: summary.tunnelSignals ?? [],
        ...(health !== undefined ? { health } : {}),
      });
      for (const line of lines) out(line);
    });
    out("");
    const summaryText = summarySection({ controllers: config.controllers.length, summary, series: sink.series, readings: known });
    for (const line of summaryText.lines) out(line);
    for (const warning of summaryText.warnings) err(`warning: ${warning}`);

    out("");
    for (const line of alertPreviewSection(def, sink.series, (previewTime(args) as Date | undefined) ?? new Date(clock.now()))) out(line);

    out("");
    if (!send) {
      out(`Would send to Datadog (${site}); nothing was sent (add --send to post it):`);
      for (const line of datadogSection(sink.series, sink.events)) out(line);
    } else if (deliveryError !== undefined) {
      // Never "Sent" when it was not: the failure goes to stdout too, where the report is read.
      out(`Send to Datadog FAILED (${site}, API key from ${setup.apiKeySource}): ${terminalSafe(deliveryError.message, 400)}`);
      out("What the checker's sink tried to send:");
      for (const line of datadogSection(sink.series, sink.events)) out(line);
    } else {
      out(`Sent to Datadog (${site}, API key from ${setup.apiKeySource}) by the checker's sink:`);
      for (const line of datadogSection(sink.series, sink.events)) out(line);
      if (result !== undefined) {
        const { series, events } = result.delivery;
        out(`Series accepted by Datadog: ${series.requests} request${series.requests === 1 ? "" : "s"}, ${series.attempts} attempt${series.attempts === 1 ? "" : "s"}.`);
        if (sink.events.length > 0) out(`Events delivered: ${events.sent} of ${sink.events.length}.`);
        if (events.failed > 0) err(`warning: ${events.failed} event${events.failed === 1 ? "" : "s"} not delivered (--verbose shows why)`);
      }
    }
    if (deliveryError !== undefined) err(`error: ${terminalSafe(deliveryError.message, 400)}`);

    const down = known.filter((r): r is Extract<ControllerReading, { up: false }> => !r.up);
    if (down.length > 0) {
      err(`error: ${down.map((d) => `${d.controller} (${d.reason})`).join(", ")} could not be read`);
      return EXIT.failed;
    }
    return deliveryError === undefined && readings.every((r) => r !== undefined) ? EXIT.ok : EXIT.failed;
  } catch (error) {
    // Unexpected: still never let a credential through in a message or stack.
    err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.software;
  }
}

if (require.main === module) runAsScript(main);
