/**
 * One Node.js version, stated once (contract/node-version.ts), and every place that runs the code
 * in production follows it: .nvmrc (which every workflow's setup-node reads), the Lambda runtime
 * and the handler bundle's target.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
  BUNDLE_NODE_TARGET,
  LAMBDA_NODE_RUNTIME,
  NODE_MAJOR,
  TOOLS_NODE_MINIMUM,
  toolsNodeProblem,
} from "../../contract/node-version";

const ROOT = path.resolve(__dirname, "../..");

describe("the Node.js version", () => {
  it(".nvmrc names NODE_MAJOR", () => {
    expect(readFileSync(path.join(ROOT, ".nvmrc"), "utf8")).toBe(
      `${NODE_MAJOR}\n`
    );
  });

  it("every setup-node step of every workflow reads .nvmrc, and none names a version of its own", () => {
    const steps = readdirSync(path.join(ROOT, ".github/workflows"))
      .filter((f) => f.endsWith(".yml"))
      .flatMap((file) => {
        const workflow = parse(
          readFileSync(path.join(ROOT, ".github/workflows", file), "utf8")
        ) as {
          jobs: Record<
            string,
            { steps?: { uses?: string; with?: Record<string, unknown> }[] }
          >;
        };
        return Object.values(workflow.jobs).flatMap((job) =>
          (job.steps ?? [])
            .filter((s) => s.uses?.startsWith("actions/setup-node@"))
            .map((s) => ({ file, with: s.with ?? {} }))
        );
      });
    expect(steps.length).toBeGreaterThanOrEqual(7);
    for (const step of steps) {
      expect(step.with["node-version-file"]).toBe(".nvmrc");
      expect(step.with["node-version"]).toBeUndefined();
    }
  });

  it("the Lambda runtime and the bundle target are NODE_MAJOR's, and the code uses the constants", () => {
    expect([LAMBDA_NODE_RUNTIME, BUNDLE_NODE_TARGET]).toEqual([
      `nodejs${NODE_MAJOR}.x`,
      `node${NODE_MAJOR}`,
    ]);
    expect(
      readFileSync(
        path.join(ROOT, "stacks/constructs/checker-function.ts"),
        "utf8"
      )
    ).toContain("runtime: LAMBDA_NODE_RUNTIME,");
    expect(
      readFileSync(path.join(ROOT, "scripts/build-handler.ts"), "utf8")
    ).toContain("target: BUNDLE_NODE_TARGET,");
  });

  it("the tools' minimum is stated once: package.json engines says TOOLS_NODE_MINIMUM, below NODE_MAJOR", () => {
    const manifest = JSON.parse(
      readFileSync(path.join(ROOT, "package.json"), "utf8")
    ) as { engines: { node: string } };
    expect(manifest.engines.node).toBe(`>=${TOOLS_NODE_MINIMUM}`);
    expect(TOOLS_NODE_MINIMUM).toBeLessThanOrEqual(NODE_MAJOR);
  });

  it.each([
    [
      "18.19.1",
      "this is Node.js 18.19.1; the tools need Node.js 20 or later, and production runs 22 (.nvmrc: nvm use, or fnm use)",
    ],
    [
      "19.9.0",
      "this is Node.js 19.9.0; the tools need Node.js 20 or later, and production runs 22 (.nvmrc: nvm use, or fnm use)",
    ],
    ["20.0.0", undefined],
    ["22.12.0", undefined],
    ["24.1.0", undefined],
  ])("Node.js %s: %s", (version, problem) => {
    expect(toolsNodeProblem(version)).toBe(problem);
  });

  it("every entry point refuses an older Node.js before it starts: the CLI runner, the review and the app", () => {
    expect(
      readFileSync(path.join(ROOT, "cli/shared/runner.ts"), "utf8")
    ).toContain("const nodeProblem = toolsNodeProblem(process.versions.node);");
    expect(
      readFileSync(path.join(ROOT, "cli/review/main.ts"), "utf8")
    ).toContain("const nodeProblem = toolsNodeProblem(process.versions.node);");
    expect(readFileSync(path.join(ROOT, "main.ts"), "utf8")).toContain(
      "const nodeProblem = toolsNodeProblem(process.versions.node);"
    );
    for (const cli of readdirSync(path.join(ROOT, "cli"), {
      withFileTypes: true,
    }).filter(
      (d) => d.isDirectory() && d.name !== "shared" && d.name !== "review"
    )) {
      const entry = ["main.ts", "index.ts"]
        .map((f) => path.join(ROOT, "cli", cli.name, f))
        .find((f) => {
          try {
            return readFileSync(f, "utf8").includes("runAsScript(");
          } catch {
            return false;
          }
        });
      expect({ cli: cli.name, runsThroughRunner: entry !== undefined }).toEqual(
        { cli: cli.name, runsThroughRunner: true }
      );
    }
  });

  it(".ci/run installs like the workflows: without install scripts", () => {
    expect(readFileSync(path.join(ROOT, ".ci/run"), "utf8")).toMatch(
      /^npm ci --ignore-scripts --no-audit --no-fund$/m
    );
  });
});
