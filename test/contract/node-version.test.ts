/**
 * One Node.js version, stated once (contract/node-version.ts), and every place that runs the code
 * in production follows it: .nvmrc (which every workflow's setup-node reads), the Lambda runtime
 * and the handler bundle's target.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { BUNDLE_NODE_TARGET, LAMBDA_NODE_RUNTIME, NODE_MAJOR } from "../../contract/node-version";

const ROOT = path.resolve(__dirname, "../..");

describe("the Node.js version", () => {
  it(".nvmrc names NODE_MAJOR", () => {
    expect(readFileSync(path.join(ROOT, ".nvmrc"), "utf8")).toBe(`${NODE_MAJOR}\n`);
  });

  it("every setup-node step of every workflow reads .nvmrc, and none names a version of its own", () => {
    const steps = readdirSync(path.join(ROOT, ".github/workflows"))
      .filter((f) => f.endsWith(".yml"))
      .flatMap((file) => {
        const workflow = parse(readFileSync(path.join(ROOT, ".github/workflows", file), "utf8")) as { jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }> };
        return Object.values(workflow.jobs).flatMap((job) => (job.steps ?? []).filter((s) => s.uses?.startsWith("actions/setup-node@")).map((s) => ({ file, with: s.with ?? {} })));
      });
    expect(steps.length).toBeGreaterThanOrEqual(7);
    for (const step of steps) {
      expect(step.with["node-version-file"]).toBe(".nvmrc");
      expect(step.with["node-version"]).toBeUndefined();
    }
  });

  it("the Lambda runtime and the bundle target are NODE_MAJOR's, and the code uses the constants", () => {
    expect([LAMBDA_NODE_RUNTIME, BUNDLE_NODE_TARGET]).toEqual([`nodejs${NODE_MAJOR}.x`, `node${NODE_MAJOR}`]);
    expect(readFileSync(path.join(ROOT, "stacks/constructs/checker-function.ts"), "utf8")).toContain("runtime: LAMBDA_NODE_RUNTIME,");
    expect(readFileSync(path.join(ROOT, "scripts/build-handler.ts"), "utf8")).toContain("target: BUNDLE_NODE_TARGET,");
  });

  it(".ci/run installs like the workflows: without install scripts", () => {
    expect(readFileSync(path.join(ROOT, ".ci/run"), "utf8")).toMatch(/^npm ci --ignore-scripts --no-audit --no-fund$/m);
  });
});
