/**
 * `npm run review` end to end, in a throwaway git repository holding a copy of the project:
 *
 *   empty ── project (4 environments) ── change: example-simple simple→multi, example-multi gets a
 *                                        third controller, example-third removed, example-steady untouched
 *
 * example-multi is on Datadog site US1, the others on EU, so synth makes two fleet overviews:
 * vpn-monitor-fleet-eu (example-simple, -steady, -third) and vpn-monitor-fleet-us1 (example-multi).
 * Synth is the slow part, so each scenario runs the CLI once and its assertions share the result.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { copyProject, createGitFixture, type GitFixture } from "../helpers/git-fixture";
import { fixtureEnvironment } from "../helpers/fixture-environments";

const SIMPLE_BEFORE = "min(last_5m):min:vpn.tunnel.status{vpn_environment:example-simple} < 1";
const SIMPLE_AFTER = "min(last_5m):min:vpn.tunnel.status{vpn_environment:example-simple} by {tunnel} < 1";
const NEW_SG = "sg-0f1e2d3c4b5a60203";
const NEW_CONTROLLER = `  - name: vns3-east-c
    host: 198.51.100.30
    securityGroupId: ${NEW_SG}
    secretArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:vpn-monitor/example-multi/vns3-east-c-QwErTy
    tlsSha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

datadog:`;

/** Two synths per review, concurrently: under a loaded `npm test` one review can take tens of seconds. */
const SLOW = 120_000;

let fixture: GitFixture;
let emptyCommit: string;
let projectCommit: string;
let scratch: string;

/** The report's section for one environment: from its heading to the next one. */
function section(report: string, heading: string): string {
  const start = report.indexOf(heading);
  if (start < 0) throw new Error(`no "${heading}" in the report:\n${report}`);
  const next = report.indexOf("\n## ", start + heading.length);
  return report.slice(start, next < 0 ? undefined : next);
}

/** One resource's lines in a section: its bullet and the attribute lines under it. */
function entry(text: string, addressPattern: RegExp): string {
  const lines = text.split("\n");
  const first = lines.findIndex((l) => addressPattern.test(l));
  if (first < 0) throw new Error(`no entry matching ${addressPattern} in:\n${text}`);
  const rest = lines.slice(first + 1);
  const end = rest.findIndex((l) => !l.startsWith("  "));
  return [lines[first], ...rest.slice(0, end < 0 ? undefined : end)].join("\n");
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "review-e2e-out-"));
  fixture = createGitFixture();
  fixture.write("README.md", "Before the project existed.\n");
  emptyCommit = fixture.commit("empty");

  // The project's code, and environments derived from its two examples (not whatever else is there).
  copyProject(fixture);
  fixture.remove("environments");
  mkdirSync(path.join(fixture.dir, "environments"));
  const simple = readFileSync(fixtureEnvironment("example-simple.yaml"), "utf8");
  const multi = readFileSync(fixtureEnvironment("example-multi.yaml"), "utf8");
  fixture.write("environments/example-simple.yaml", simple);
  fixture.write("environments/example-multi.yaml", multi);
  fixture.write("environments/example-third.yaml", simple.replace(/example-simple/g, "example-third"));
  fixture.write("environments/example-steady.yaml", simple.replace(/example-simple/g, "example-steady"));
  projectCommit = fixture.commit("project with four environments");

  fixture.write("environments/example-simple.yaml", simple.replace(/^ {2}mode: simple$/m, "  mode: multi"));
  fixture.write("environments/example-multi.yaml", multi.replace("\ndatadog:", `\n${NEW_CONTROLLER}`));
  fixture.remove("environments/example-third.yaml");
  fixture.commit("switch a mode, add a controller, remove an environment");
});

afterAll(() => {
  fixture?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("npm run review on a change to three of four environments", () => {
  let run: ReturnType<GitFixture["review"]>;
  let report: string;

  beforeAll(() => {
    const out = path.join(scratch, "report.md");
    run = fixture.review("--base", projectCommit, "--fail-on-change", "--list-changed", "--out", out);
    report = readFileSync(out, "utf8");
  }, SLOW);

  it("exits 2 with --fail-on-change, and lists the targets to deploy: the changed environments, then the changed fleet overview", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("example-multi\nexample-simple\nfleet-eu\n");
  });

  it("summarizes environments and fleet overviews apart, then leads with the removed environment", () => {
    expect(report).toContain("\n4 environments: 2 changed, 0 added, 1 removed, 1 unchanged. Fleet overviews: vpn-monitor-fleet-eu changed, vpn-monitor-fleet-us1 unchanged.\n");
    expect(report.indexOf("## example-third: environment removed")).toBeLessThan(report.indexOf("## example-multi: changed"));
  });

  it("reports the EU fleet overview losing the removed environment in its own section, after the environments", () => {
    const fleet = section(report, "## Fleet overview (vpn-monitor-fleet-eu): changed");

    expect(report.indexOf("## example-simple: changed")).toBeLessThan(report.indexOf("## Fleet overview (vpn-monitor-fleet-eu)"));
    expect(fleet).toContain("Environments on the dashboard: ➖ `example-third`.\n");
    expect(fleet).toContain("### Resources: 0 added, 1 changed, 0 removed\n\n- ✏️ changed `datadog_dashboard_json.dashboard` (dashboard)\n");
    expect(fleet).toContain("  - `dashboard{json}.template_variables[0].available_values[-]`: `example-third` (removed)\n");
    expect(report).not.toMatch(/^## fleet/m);
  });

  it("shows no change to the US1 fleet overview although its only environment gained a controller", () => {
    expect(report).not.toContain("## Fleet overview (vpn-monitor-fleet-us1)");
    expect(report).toMatch(/\n## Unchanged fleet overviews\n\n- vpn-monitor-fleet-us1: no changes\n$/);
  });

  it("calls out the mode and the exact query change first for the switched environment", () => {
    const simple = section(report, "## example-simple: changed");

    expect(simple).toContain(
      "### Monitoring changes\n\n" +
        "- **VPN tunnel down: example-simple** (monitor changed) `datadog_monitor.monitors_tunnels_",
    );
    expect(simple).toContain(`  - mode: \`simple\` → \`multi (tunnel)\`\n  - query: \`${SIMPLE_BEFORE}\` → \`${SIMPLE_AFTER}\`\n`);
    expect(simple.indexOf("### Monitoring changes")).toBeLessThan(simple.indexOf("### Resources"));
  });

  it("shows the new controller's ingress and egress rules with its port and security group", () => {
    const multi = section(report, "## example-multi: changed");
    const ingress = entry(multi, /➕ added `aws_vpc_security_group_ingress_rule\.network_api-in-sg-0f1e2d3c4b5a60203-8000_\w+`/).split("\n");
    const egress = entry(multi, /➕ added `aws_vpc_security_group_egress_rule\.network_api-out-sg-0f1e2d3c4b5a60203-8000_\w+`/).split("\n");
    const checkerGroup = expect.stringMatching(/^ {2}- `(referenced_)?security_group_id`: `\$\{aws_security_group\.network_checker_\w+\.id\}`$/);

    // Into the controller's group, from the checker's group, on the VNS3 API port only.
    expect(ingress).toEqual(
      expect.arrayContaining([`  - \`security_group_id\`: \`${NEW_SG}\``, "  - `from_port`: `8000`", "  - `to_port`: `8000`", "  - `ip_protocol`: `tcp`", checkerGroup]),
    );
    // Out of the checker's group, to the controller's group, on the same port.
    expect(egress).toEqual(
      expect.arrayContaining([`  - \`referenced_security_group_id\`: \`${NEW_SG}\``, "  - `from_port`: `8000`", "  - `to_port`: `8000`", "  - `ip_protocol`: `tcp`", checkerGroup]),
    );
    expect(multi).toContain("### Resources: 2 added, 2 changed, 0 removed");
  });

  it("shows the checker learning about the controller and being allowed to read its secret", () => {
    const multi = section(report, "## example-multi: changed");

    expect(multi).toContain("`environment.variables.VNS3_CONTROLLERS{json}[2].host`: `198.51.100.30`");
    expect(multi).toContain("`policy{json}.Statement[1].Resource[+]`: `arn:aws:secretsmanager:us-east-1:123456789012:secret:vpn-monitor/example-multi/vns3-east-c-QwErTy`");
    expect(multi).not.toContain("Lambda code changed");
  });

  it("lists what the removed environment takes away, monitors first, and that merging destroys nothing", () => {
    const third = section(report, "## example-third: environment removed");

    expect(third).toContain(`- **VPN tunnel down: example-third** (monitor removed)`);
    expect(third).toContain(`- **VNS3 controller unreadable: example-third** (monitor removed)`);
    expect(third).toMatch(/➖ removed `aws_lambda_function\.checker_function_\w+`/);
    expect(third).toContain("**Merging does not destroy them**: run `npx cdktf destroy vpn-monitor-example-third`");
  });

  it('says "no changes" for the untouched environment, synthesized or not', () => {
    expect(report).toContain("## Unchanged environments\n\n- example-steady: no changes\n");
    expect(report).toContain(
      "only the 3 changed definition file(s) were synthesized; the other 1 environment(s) have the same code and definition. The fleet overviews were synthesized from every definition on both sides.",
    );
  });

  it("leaves no worktree behind", () => {
    expect(fixture.git("worktree", "list").split("\n")).toHaveLength(1);
  });

  it("reports the same when every environment is synthesized, and exits 0 without --fail-on-change", () => {
    const full = fixture.review("--base", projectCommit, "--full");

    expect(full.status).toBe(0);
    const withoutNotes = (text: string) => text.replace(/^> .*\n\n/gm, "");
    expect(withoutNotes(full.stdout)).toBe(withoutNotes(report));
  }, SLOW);
});

describe("npm run review when only definitions are added, changed or removed (the fast path)", () => {
  const simple = () => readFileSync(path.join(fixture.dir, "environments/example-simple.yaml"), "utf8");
  afterEach(() => {
    fixture.git("checkout", "--quiet", "--", "environments");
    fixture.git("clean", "--quiet", "-f", "--", "environments");
  });

  it("shows the fleet dashboard gaining an added environment, and reports the same as --full", () => {
    fixture.write("environments/example-new.yaml", simple().replace(/example-simple/g, "example-new"));
    const out = path.join(scratch, "added.md");

    const run = fixture.review("--base", "HEAD", "--list-changed", "--out", out);
    const full = fixture.review("--base", "HEAD", "--full");

    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toBe("example-new\nfleet-eu\n");
    const report = readFileSync(out, "utf8");
    expect(report).toContain("\n4 environments: 0 changed, 1 added, 0 removed, 3 unchanged. Fleet overviews: vpn-monitor-fleet-eu changed, vpn-monitor-fleet-us1 unchanged.\n");
    const fleet = section(report, "## Fleet overview (vpn-monitor-fleet-eu): changed");
    expect(fleet).toContain("Environments on the dashboard: ➕ `example-new`.\n");
    expect(fleet).toContain("  - `dashboard{json}.template_variables[0].available_values[+]`: `example-new`\n");
    const withoutNotes = (text: string) => text.replace(/^> .*\n\n/gm, "");
    expect(full.status).toBe(0);
    expect(withoutNotes(full.stdout)).toBe(withoutNotes(report));
  }, SLOW);

  it("shows no fleet change when one environment's monitor changes", () => {
    fixture.write("environments/example-simple.yaml", simple().replace("windowMinutes: 5", "windowMinutes: 10"));

    const { status, stdout } = fixture.review("--base", "HEAD");

    expect(status).toBe(0);
    expect(stdout).toContain("\n3 environments: 1 changed, 0 added, 0 removed, 2 unchanged. Fleet overviews: vpn-monitor-fleet-eu unchanged, vpn-monitor-fleet-us1 unchanged.\n");
    expect(section(stdout, "## example-simple: changed")).toContain("  - query: `min(last_5m):");
    expect(stdout).not.toContain("## Fleet overview");
  }, SLOW);

  it("reviews a change to an example but lists no deploy target for it, only the fleet overview it leaves", () => {
    // example-simple becomes an example: its monitor change is reviewed, never planned; the EU
    // overview, deployed for example-steady, stops showing it (stacks/fleet-groups.ts).
    fixture.write("environments/example-simple.yaml", simple().replace("\nname: example-simple\n", "\nname: example-simple\ndeploy: false\n").replace("windowMinutes: 5", "windowMinutes: 10"));
    const out = path.join(scratch, "example.md");

    const { status, stdout, stderr } = fixture.review("--base", "HEAD", "--list-changed", "--out", out);
    const report = readFileSync(out, "utf8");

    expect([status, stdout, stderr]).toEqual([0, "fleet-eu\n", "skipped example-simple: not a deploy target (an example, deploy: false in its definition): reviewed, never deployed\n"]);
    expect(section(report, "## example-simple: changed")).toContain("**An example** (`deploy: false` in its definition): reviewed here, never deployed or drift-checked.\n");
    expect(section(report, "## example-simple: changed")).toContain("  - query: `min(last_5m):");
    expect(section(report, "## Fleet overview (vpn-monitor-fleet-eu): changed")).toContain("Environments on the dashboard: ➖ `example-simple`.\n");
    expect(section(report, "## Fleet overview (vpn-monitor-fleet-eu): changed")).not.toContain("examples only");
  }, SLOW);

  it("shows the fleet dashboard losing a removed environment when nothing else changed", () => {
    fixture.remove("environments/example-steady.yaml");

    const out = path.join(scratch, "removed.md");

    const { status, stdout, stderr } = fixture.review("--base", "HEAD", "--list-changed", "--out", out);
    const report = readFileSync(out, "utf8");

    expect([status, stderr]).toEqual([0, ""]);
    expect(stdout).toBe("fleet-eu\n");
    expect(report).toContain("\n3 environments: 0 changed, 0 added, 1 removed, 2 unchanged. Fleet overviews: vpn-monitor-fleet-eu changed, vpn-monitor-fleet-us1 unchanged.\n");
    expect(section(report, "## Fleet overview (vpn-monitor-fleet-eu): changed")).toContain("Environments on the dashboard: ➖ `example-steady`.\n");
  }, SLOW);
});

describe("npm run review in other situations", () => {
  it('says "no changes" and exits 0 with --fail-on-change when nothing changed, comparing with main by default', () => {
    const { status, stdout, stderr } = fixture.review("--fail-on-change");

    expect(status).toBe(0);
    expect(stderr).toBe("review: No origin/main: compared with the merge base of HEAD and main.\n");
    expect(stdout).toContain("# Monitoring review against the merge base with main (");
    expect(stdout).toContain("\n3 environments: 0 changed, 0 added, 0 removed, 3 unchanged. Fleet overviews: vpn-monitor-fleet-eu unchanged, vpn-monitor-fleet-us1 unchanged.\n");
    expect(stdout).toContain("> Only environment definitions differ from the base, so only the 0 changed definition file(s) were synthesized; the other 3 environment(s) have the same code and definition. The fleet overviews are unchanged too.");
    expect(stdout).toContain("- example-multi: no changes\n- example-simple: no changes\n- example-steady: no changes\n\n## Unchanged fleet overviews\n\n- vpn-monitor-fleet-eu: no changes\n- vpn-monitor-fleet-us1: no changes\n");
  });

  it("treats a base without the project as empty: every environment is new, secrets masked", () => {
    const { status, stdout } = fixture.review("--base", emptyCommit);

    expect(status).toBe(0);
    expect(stdout).toContain("\n3 environments: 0 changed, 3 added, 0 removed, 0 unchanged. Fleet overviews: vpn-monitor-fleet-eu new, vpn-monitor-fleet-us1 new.\n");
    expect(stdout).toContain("> The base has no main.ts (the project did not exist yet): every environment is new.");
    const fleet = section(stdout, "## Fleet overview (vpn-monitor-fleet-us1): new");
    expect(fleet).toContain("Environments on the dashboard: ➕ `example-multi`.\n");
    // Beside example-multi's state, the first (and only) environment by name on US1; Datadog provider only.
    expect(fleet).toContain("  - `s3.key`: `vpn-monitor/fleet-us1.tfstate`\n");
    expect(fleet).toContain("- ➕ added `provider.datadog`\n  - `api_url`: `https://api.datadoghq.com/`\n");
    expect(fleet).not.toContain("provider.aws");
    const multi = section(stdout, "## example-multi: new environment");
    expect(multi).toContain("  - `custom_headers{json}.Authorization`: (sensitive)");
    expect(multi).toContain("- ➕ added `variable.webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN`");
    expect(multi).toContain("  - `value`: (sensitive)");
  });

  it("fails clearly on a ref that does not exist", () => {
    const { status, stderr, stdout } = fixture.review("--base", "no-such-ref");

    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("review: --base no-such-ref: not a commit in this repository");
  });

  it("fails with the definition's problems when the working tree does not validate", () => {
    fixture.write("environments/broken.yaml", "name: broken\naws:\n  region: nowhere\n");
    try {
      const { status, stderr, stdout } = fixture.review("--base", "HEAD");

      expect(status).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toContain("review: synth of the working tree failed:\ninvalid environment definition:");
      expect(stderr).toContain("environments/broken.yaml: aws.region");
    } finally {
      fixture.remove("environments/broken.yaml");
    }
  });
});
