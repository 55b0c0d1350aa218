/**
 * The CDKTF app: validates every environment definition, then synthesizes one stack per
 * environment. Nothing is written unless every definition is valid.
 */
import * as path from "node:path";
import { App } from "cdktf";
import { EnvironmentValidationError, loadEnvironments } from "./stacks/environment/load";
import { buildLambdaPackage } from "./stacks/lambda-package";
import { VpnMonitorStack } from "./stacks/vpn-monitor-stack";

function main(): void {
  const environmentsDir = process.env.VPN_MONITOR_ENVIRONMENTS_DIR || path.join(__dirname, "environments");
  let environments;
  try {
    environments = loadEnvironments(environmentsDir);
  } catch (error) {
    if (error instanceof EnvironmentValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  // One build and one zip for all stacks; each stack copies the same file.
  const lambdaPackageZip = buildLambdaPackage();
  const app = new App();
  for (const { definition } of environments) {
    new VpnMonitorStack(app, { env: definition, lambdaPackageZip });
  }
  app.synth();
}

main();
