/**
 * A failed synth says why once and leaves no previous output that looks current (main.ts,
 * stacks/stale-output.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { baseDefinition } from "../helpers/synth";

const ROOT = path.resolve(__dirname, "../..");
const scratch = mkdtempSync(path.join(tmpdir(), "stale-output-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function failingSynth(outDir: string) {
  const envs = mkdtempSync(path.join(scratch, "envs-"));
  writeFileSync(path.join(envs, "acme-prod.yaml"), stringify({ ...baseDefinition(), monitor: { windowMinutes: 7 } }));
  const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], { cwd: ROOT, env: { ...process.env, VPN_MONITOR_ENVIRONMENTS_DIR: envs, CDKTF_OUTDIR: outDir }, encoding: "utf8" });
  return { status: result.status, stderr: result.stderr, label: path.relative(ROOT, path.join(envs, "acme-prod.yaml")) };
}

describe("a failed synth", () => {
  it("removes the previous synth output and prints its message once", () => {
    const outDir = path.join(scratch, "previous", "cdktf.out");
    mkdirSync(path.join(outDir, "stacks", "vpn-monitor-acme-prod"), { recursive: true });
    writeFileSync(path.join(outDir, "manifest.json"), "{}");
    writeFileSync(path.join(outDir, "stacks", "vpn-monitor-acme-prod", "cdk.tf.json"), "{}");

    const { status, stderr, label } = failingSynth(outDir);

    expect(status).toBe(1);
    const message = `${label}: monitor.windowMinutes 7 is not a window Datadog accepts`;
    expect(stderr.split(message).length - 1).toBe(1);
    expect(stderr).toContain(`removed the previous synth output ${outDir}, so that nothing plans or deploys it as current\n`);
    expect(existsSync(outDir)).toBe(false);
  });

  it("prints its message once through `npm run synth` too: stdout and stderr together hold it once", () => {
    // cdktf's CLI echoed the app's stderr a second time ("Command output on stderr"); the npm
    // script runs the app itself.
    const envs = mkdtempSync(path.join(scratch, "envs-"));
    writeFileSync(path.join(envs, "acme-prod.yaml"), stringify({ ...baseDefinition(), monitor: { windowMinutes: 7 } }));
    const result = spawnSync("npm", ["run", "--silent", "synth"], {
      cwd: ROOT,
      env: { ...process.env, VPN_MONITOR_ENVIRONMENTS_DIR: envs, CDKTF_OUTDIR: path.join(scratch, "npm-synth-out") },
      encoding: "utf8",
    });

    expect(result.status).toBe(1);
    const message = `${path.relative(ROOT, path.join(envs, "acme-prod.yaml"))}: monitor.windowMinutes 7 is not a window Datadog accepts`;
    expect(`${result.stdout}${result.stderr}`.split(message).length - 1).toBe(1);
    expect(result.stdout).toBe("");
  });

  it("leaves a folder alone that cdktf did not write", () => {
    const outDir = path.join(scratch, "not-cdktf");
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, "notes.txt"), "mine");

    const { status, stderr } = failingSynth(outDir);

    expect(status).toBe(1);
    expect(stderr).not.toContain("removed the previous synth output");
    expect(existsSync(path.join(outDir, "notes.txt"))).toBe(true);
  });
});
