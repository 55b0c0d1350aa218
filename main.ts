/**
 * The CDKTF app: validates every environment definition, then synthesizes one stack per
 * environment and the fleet overview. Nothing is written unless every definition is valid.
 */
import * as path from "node:path";
import { App } from "cdktf";
import { toolsNodeProblem } from "./contract/node-version";
import { bootstrapLayout, BootstrapDefinitionError } from "./stacks/bootstrap/accounts";
import { BootstrapStack } from "./stacks/bootstrap/bootstrap-stack";
import { BootstrapSettingsError, loadBootstrapSettings } from "./stacks/bootstrap/settings";
import { EnvironmentValidationError, loadEnvironments } from "./stacks/environment/load";
import { buildLambdaPackage } from "./stacks/lambda-package";
import { FleetStack, fleetGroups } from "./stacks/fleet-stack";
import { discardStaleOutput } from "./stacks/stale-output";
import { skipTokenStackTraces } from "./stacks/token-stack-traces";
import { VpnMonitorStack } from "./stacks/vpn-monitor-stack";

function main(): void {
  const nodeProblem = toolsNodeProblem(process.versions.node);
  if (nodeProblem !== undefined) {
    process.stderr.write(`${nodeProblem}\n`);
    process.exit(2);
  }
  const allEnvironmentsDir = path.join(__dirname, "environments");
  const environmentsDir = process.env.VPN_MONITOR_ENVIRONMENTS_DIR || allEnvironmentsDir;
  // The fleet overview spans every environment, even when only a subset is synthesized (the
  // review's fast path): otherwise it would seem to lose the environments left out.
  const fleetEnvironmentsDir = process.env.VPN_MONITOR_FLEET_ENVIRONMENTS_DIR || environmentsDir;
  // bootstrap.yaml (stacks/bootstrap/settings.ts): the bootstrap stacks join the app, over every definition.
  const bootstrapFile = process.env.VPN_MONITOR_BOOTSTRAP_FILE || path.join(__dirname, "bootstrap.yaml");
  let environments;
  let fleetEnvironments;
  let bootstrap;
  try {
    environments = loadEnvironments(environmentsDir);
    fleetEnvironments = fleetEnvironmentsDir === environmentsDir ? environments : loadEnvironments(fleetEnvironmentsDir);
    const settings = loadBootstrapSettings(bootstrapFile, path.relative(process.cwd(), bootstrapFile) || bootstrapFile);
    const labelled = fleetEnvironments.map((e) => ({ label: path.relative(process.cwd(), e.file) || e.file, definition: e.definition }));
    bootstrap = settings && { settings, layout: bootstrapLayout(labelled, settings.account) };
  } catch (error) {
    if (error instanceof EnvironmentValidationError || error instanceof BootstrapSettingsError || error instanceof BootstrapDefinitionError) {
      process.stderr.write(`${error.message}\n`);
      // cdktf sets CDKTF_OUTDIR; run directly, the app writes to cdktf.out like cdktf.json says.
      const removed = discardStaleOutput(process.env.CDKTF_OUTDIR || path.join(__dirname, "cdktf.out"));
      if (removed !== undefined) process.stderr.write(`${removed}\n`);
      process.exit(1);
    }
    throw error;
  }

  // One build and one zip for all stacks; each stack copies the same file.
  const lambdaPackageZip = buildLambdaPackage();
  // VPN_MONITOR_TOKEN_STACK_TRACES=1 keeps cdktf's traces, to debug a token that does not resolve.
  if (process.env.VPN_MONITOR_TOKEN_STACK_TRACES !== "1") skipTokenStackTraces();
  const app = new App();
  for (const { definition } of environments) {
    new VpnMonitorStack(app, { env: definition, lambdaPackageZip });
  }
  // One overview dashboard per Datadog site over every environment on it.
  for (const group of fleetGroups(fleetEnvironments.map((e) => e.definition))) {
    new FleetStack(app, { environments: group.environments, stackId: group.stackId });
  }
  for (const account of bootstrap?.layout.accounts ?? []) {
    const { repository, existingOidcProvider } = bootstrap!.settings;
    new BootstrapStack(app, { account, repository, existingOidcProvider });
  }
  app.synth();
  // What `npm run synth` prints: the app runs directly (package.json), so there is no cdktf CLI
  // summary, and a failure's message appears once instead of echoed by the CLI as well.
  const stacks = app.node.children.map((child) => child.node.id);
  process.stdout.write(`Synthesized ${stacks.length} stack(s) into ${path.relative(process.cwd(), app.outdir) || app.outdir}/: ${stacks.join(", ")}\n`);
}

main();
