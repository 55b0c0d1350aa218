/**
 * The Node.js major version everything that runs this code in production uses: the checker
 * Lambda's runtime (`nodejs22.x`), the handler bundle's esbuild target and the workflows (which
 * read `.nvmrc`, `actions/setup-node` node-version-file). The AWS SDK for JavaScript v3 drops
 * Node 20 in early 2027. test/contract/node-version.test.ts holds the places together. Local
 * tools still run on Node 20 (TOOLS_NODE_MINIMUM, package.json engines `>=20`) so a workstation
 * is not locked out before the SDK drops it.
 */
export const NODE_MAJOR = 22;

/**
 * The oldest Node.js major the CLIs and synth run on: every `npm run` command refuses an older one
 * at start (cli/shared/runner.ts, main.ts) rather than failing later on a missing API. package.json
 * `engines` says the same (a test holds them together).
 */
export const TOOLS_NODE_MINIMUM = 20;

/**
 * Why this Node.js cannot run the tools, or undefined when it can. `version` as in
 * `process.versions.node` (`20.20.2`).
 */
export function toolsNodeProblem(version: string): string | undefined {
  const major = Number(version.split(".")[0]);
  if (Number.isInteger(major) && major >= TOOLS_NODE_MINIMUM) return undefined;
  return `this is Node.js ${version}; the tools need Node.js ${TOOLS_NODE_MINIMUM} or later, and production runs ${NODE_MAJOR} (.nvmrc: nvm use, or fnm use)`;
}

/** The Lambda runtime identifier for NODE_MAJOR. */
export const LAMBDA_NODE_RUNTIME = `nodejs${NODE_MAJOR}.x` as const;

/** esbuild's target for the handler bundle. */
export const BUNDLE_NODE_TARGET = `node${NODE_MAJOR}` as const;
