/**
 * `npm run check -- <environment> [--send]`: one check of an environment with the checker's own
 * code (handler/: config types, VNS3 reader with pinning, credentials resolver, runCheck, Datadog
 * sink), from a host that reaches the controllers. Prints every tunnel and exactly what the
 * Lambda would send; sends it only with --send.
 *
 * Exit codes: 0 every controller read (and, with --send, Datadog accepted the series);
 * 1 a controller could not be read, or Datadog refused; 2 usage or configuration problem.
 * Tunnels that are down are data, not a failure of the check.
 */
import * as path from "node:path";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { runCheck, type CheckResult } from "../handler/check";
import { createDatadogSink, DeliveryError, RecordingSink, type MetricsSink } from "../handler/datadog-sink";
import { Deadline } from "../handler/deadline";
import { createJsonLogger, Redactor, silentLogger } from "../handler/log";
import { createCredentialsResolver, resolveApiKey, SecretCache, type SecretsClient } from "../handler/secrets";
import { createVns3Reader } from "../handler/vns3-client";
import { EnvironmentValidationError, loadEnvironments } from "../stacks/environment/load";
import { checkSetup } from "./lib/check-config";
import { controllerSection, datadogSection } from "./lib/check-report";
import { runAsScript, type CliIo } from "./lib/io";

/** Options of {@link main} beyond the process. */
export interface CheckCliDeps {
  /** Secrets Manager client. @default one for the environment's region, default credential chain */
  readonly secretsClient?: SecretsClient;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 300) throw new InvalidArgumentError("must be seconds, 1-300");
  return seconds;
}

/** Runs the command; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo, deps: CheckCliDeps = {}): Promise<number> {
  // Every line goes through the redactor: it knows every credential this run has seen.
  const redactor = new Redactor();
  const out = (text: string) => void io.stdout.write(redactor.redact(`${text}\n`));
  const err = (text: string) => void io.stderr.write(redactor.redact(`${text}\n`));

  const program = new Command()
    .name("npm run check --")
    .description(
      "Run one check of an environment with the checker's own code and print every tunnel and what would be sent to Datadog.\n" +
        "Controller credentials: VNS3_<CONTROLLER>_PASSWORD (+ _USERNAME, default api) or VNS3_<CONTROLLER>_API_TOKEN,\n" +
        "else the controller's secret (AWS default credential chain). With --send: DD_API_KEY, else the Datadog secret.",
    )
    .argument("<environment>", "environment name (environments/<name>.yaml)")
    .option("--send", "post the series (and events) to Datadog; without it nothing is sent")
    .option("--dir <dir>", "folder of the environment definitions", "environments")
    .option("--timeout <seconds>", "time budget of the whole check", parseSeconds, 20)
    .option("--verbose", "also print the checker's JSON log lines on stderr")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const [name] = program.processedArgs as [string];
  const opts = program.opts<{ send?: boolean; dir: string; timeout: number; verbose?: boolean }>();
  const send = opts.send === true;

  try {
    let loaded;
    try {
      loaded = loadEnvironments(path.resolve(io.cwd, opts.dir), { labelRoot: io.cwd });
    } catch (error) {
      if (!(error instanceof EnvironmentValidationError)) throw error;
      for (const problem of error.problems) err(`error: ${problem}`);
      return 2;
    }
    const environment = loaded.find((e) => e.definition.name === name);
    if (environment === undefined) {
      err(`error: no environment named ${JSON.stringify(name)} in ${opts.dir} (there are: ${loaded.map((e) => e.definition.name).join(", ")})`);
      return 2;
    }
    const def = environment.definition;
    const setup = checkSetup(def, io.env);
    for (const secret of setup.secrets) redactor.add(secret);
    for (const warning of setup.warnings) err(`warning: ${warning}`);
    if (setup.problems.length > 0) {
      for (const problem of setup.problems) err(`error: ${problem}`);
      return 2;
    }
    const config = setup.config;

    const secretsClient =
      deps.secretsClient ??
      new SecretsManagerClient({ region: def.aws.region, maxAttempts: 2, requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 } });
    const secrets = new SecretCache({ client: secretsClient, onValue: (value) => redactor.add(value) });
    const credentials = createCredentialsResolver(secrets, redactor);
    const deadline = Deadline.after(opts.timeout * 1000);
    const site = config.datadog.apiUrl ?? config.datadog.site;

    // With --send the API key comes first: no point reading controllers for a send that cannot happen.
    let datadog: MetricsSink | undefined;
    if (send) {
      try {
        const apiKey = await resolveApiKey(config.datadog.apiKey, secrets, deadline.cappedAt(10_000), redactor);
        datadog = createDatadogSink({ apiKey, site: config.datadog.site, ...(config.datadog.apiUrl !== undefined ? { apiUrl: config.datadog.apiUrl } : {}) });
      } catch (error) {
        err(`error: Datadog API key unavailable (${setup.apiKeySource}): ${error instanceof Error ? error.message : String(error)}`);
        return 1;
      }
    }

    // The check itself always records; with --send the recorded report is then delivered by the
    // checker's own sink, so what is printed is exactly what was sent.
    const recording = new RecordingSink();
    const logger = opts.verbose ? createJsonLogger({ redactor, write: (line) => void io.stderr.write(line) }) : silentLogger;
    const result: CheckResult = await runCheck(
      config,
      { reader: createVns3Reader({ tunnelDetails: true }), credentials, sink: recording, logger },
      deadline,
      send ? {} : { datadogReserveMs: 0 },
    );

    out(`Check of ${def.name} (${path.join(opts.dir, path.basename(environment.file))}), ${config.controllers.length} controller${config.controllers.length === 1 ? "" : "s"}`);
    config.controllers.forEach((controller, i) => {
      out("");
      for (const line of controllerSection(controller, result.readings[i], setup.credentialSources[controller.name])) out(line);
    });
    const { summary } = result;
    out("");
    out(
      `Summary: ${summary.controllersUp} of ${config.controllers.length} controllers read; ` +
        `${summary.tunnelsUp} tunnel${summary.tunnelsUp === 1 ? "" : "s"} connected, ${summary.tunnelsDown} down; ` +
        `${summary.unmatchedSubnets} unmatched subnet${summary.unmatchedSubnets === 1 ? "" : "s"}`,
    );

    out("");
    let delivered = true;
    if (datadog === undefined) {
      out(`Would send to Datadog (${site}); nothing was sent (add --send to post it):`);
      for (const line of datadogSection(recording.series, recording.events)) out(line);
    } else {
      out(`Sending to Datadog (${site}, API key from ${setup.apiKeySource}):`);
      for (const line of datadogSection(recording.series, recording.events)) out(line);
      try {
        const outcome = await datadog.submitSeries(recording.series, deadline);
        out(`Series accepted by Datadog: ${outcome.requests} request${outcome.requests === 1 ? "" : "s"}, ${outcome.attempts} attempt${outcome.attempts === 1 ? "" : "s"}.`);
      } catch (error) {
        delivered = false;
        err(`error: ${error instanceof DeliveryError ? error.message : String(error)}`);
      }
      let eventsFailed = 0;
      for (const event of recording.events) {
        try {
          await datadog.submitEvent(event, deadline);
        } catch (error) {
          eventsFailed += 1;
          err(`warning: event for ${event.subnet} on ${event.controller} not delivered: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (recording.events.length > 0) out(`Events delivered: ${recording.events.length - eventsFailed} of ${recording.events.length}.`);
    }

    if (summary.controllersDown > 0) {
      err(`error: ${summary.down.map((d) => `${d.controller} (${d.reason})`).join(", ")} could not be read`);
      return 1;
    }
    return delivered ? 0 : 1;
  } catch (error) {
    // Unexpected: still never let a credential through in a message or stack.
    err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 70;
  }
}

if (require.main === module) runAsScript(main);
