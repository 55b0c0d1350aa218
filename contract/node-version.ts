/**
 * The Node.js major version everything that runs this code in production uses: the checker
 * Lambda's runtime (`nodejs22.x`), the handler bundle's esbuild target and the workflows (which
 * read `.nvmrc`, `actions/setup-node` node-version-file). The AWS SDK for JavaScript v3 drops
 * Node 20 in early 2027. test/contract/node-version.test.ts holds the places together. Local
 * tools still run on Node 20 (package.json engines `>=20`) so a workstation is not locked out.
 */
export const NODE_MAJOR = 22;

/** The Lambda runtime identifier for NODE_MAJOR. */
export const LAMBDA_NODE_RUNTIME = `nodejs${NODE_MAJOR}.x` as const;

/** esbuild's target for the handler bundle. */
export const BUNDLE_NODE_TARGET = `node${NODE_MAJOR}` as const;
