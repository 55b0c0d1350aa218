/**
 * The one test of the shipped examples (environments/example-*.yaml): the README's first line
 * (`npm run synth`) synthesizes them, and none is a deploy target (`deploy: false`), so no deploy
 * or drift run plans their made-up ids. Every other test reads its own copies
 * (test/fixtures/environments/), so editing or deleting an example breaks at most this file.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main as preflight } from "../../cli/preflight/index";
import { deployTargets } from "../../cli/preflight/targets";
import { loadEnvironments } from "../../stacks/environment/load";

const ROOT = path.resolve(__dirname, "../..");
const ENVIRONMENTS = path.join(ROOT, "environments");
const EXAMPLE_FILES = readdirSync(ENVIRONMENTS).filter((file) => /^example-[a-z0-9-]+\.ya?ml$/.test(file)).sort();
const scratch = mkdtempSync(path.join(tmpdir(), "shipped-examples-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The examples as synth loads them, with the rest of environments/ (a fork's own definitions). */
const loadedExamples = () => loadEnvironments(ENVIRONMENTS, { labelRoot: ROOT }).filter((e) => EXAMPLE_FILES.includes(path.basename(e.file)));

describe("the shipped examples", () => {
  it("are there: the README's npm run synth synthesizes them", () => {
    expect(EXAMPLE_FILES.length).toBeGreaterThan(0);
  });

  it("synthesize with main.ts over environments/, as npm run synth does, each into its own stack", () => {
    const outDir = path.join(scratch, "cdktf.out");
    const { VPN_MONITOR_ENVIRONMENTS_DIR: _dir, VPN_MONITOR_FLEET_ENVIRONMENTS_DIR: _fleet, VPN_MONITOR_BOOTSTRAP_FILE: _bootstrap, ...inherited } = process.env;
    const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], { cwd: ROOT, env: { ...inherited, CDKTF_OUTDIR: outDir }, encoding: "utf8" });

    expect([result.status, result.stderr]).toEqual([0, ""]);
    const stacks = readdirSync(path.join(outDir, "stacks"));
    expect(loadedExamples().map((e) => `vpn-monitor-${e.definition.name}`).filter((stack) => !stacks.includes(stack))).toEqual([]);
  }, 120_000);

  it.each(EXAMPLE_FILES)("%s says deploy: false, so no deploy target is or shows it, and preflight refuses it by name", async (file) => {
    const example = loadedExamples().find((e) => path.basename(e.file) === file)!;
    const name = example.definition.name;

    expect(example.definition.deploy).toBe(false);
    expect(deployTargets(loadEnvironments(ENVIRONMENTS)).filter((t) => t.environments.some((e) => e.definition.name === name)).map((t) => t.name)).toEqual([]);
    let stderr = "";
    const code = await preflight([name], {
      env: { VPN_MONITOR_ENVIRONMENTS_DIR: ENVIRONMENTS },
      cwd: ROOT,
      interactive: false,
      stdout: { write: () => undefined },
      stderr: { write: (t: string) => void (stderr += t) },
    });
    expect([code, stderr]).toEqual([1, `preflight: ${name} is not a deploy target: environments/${file}: deploy: false (an example: synthesized and reviewed, never deployed or drift-checked); to deploy it, put real ids in the file and delete that line\n`]);
  });
});
