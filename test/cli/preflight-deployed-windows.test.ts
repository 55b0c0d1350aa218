/**
 * `npm run preflight -- <env> --deployed <git-ref>`: a maintenance window the deployed commit's
 * definition did not have must start in the future; the windows it had are not judged (Datadog keeps
 * their start). Runs against a git repository made by the test in a temporary folder.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main } from "../../cli/preflight/index";
import { runPreflight } from "../helpers/preflight-run";
import { fixtureEnvironment } from "../helpers/fixture-environments";

const FILE = "example-multi.yaml";
/** Past every start below, and before the example's own 2027-01-03 start. */
const NOW = "2026-12-02T12:00Z";

let dir: string;
const git = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { stdio: "pipe" });

/** A second window with a start in the past (a Sunday in 2026), appended to the example's list. */
const pastWindow = ["  - name: late addition", "    rrule: FREQ=WEEKLY;BYDAY=SU", '    start: "2026-11-01T01:00"', "    duration: 1h", "    timezone: America/New_York", "    partner: acme-payments", ""].join("\n");

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "preflight-deployed-"));
  copyFileSync(fixtureEnvironment(FILE), path.join(dir, FILE));
  git("init", "--quiet");
  git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "--allow-empty", "-m", "empty");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (argv: readonly string[]) => runPreflight(dir, argv, { DD_API_KEY: "x", DD_APP_KEY: "y", TF_VAR_webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN: "z" });

const commitAll = () => {
  git("add", "-A");
  git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", "definitions");
};

describe("preflight --deployed", () => {
  it("refuses a window the deployed commit did not have whose start has passed, naming the file and field", async () => {
    writeFileSync(path.join(dir, FILE), `${readFileSync(path.join(dir, FILE), "utf8").replace("\nslo:", `\n${pastWindow}\nslo:`)}`);

    const result = await run(["example-multi", "--deployed", "HEAD", "--now", NOW]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${FILE}: maintenance[1].start "2026-11-01T01:00" is not in the future (now is 2026-12-02T07:00 in America/New_York): Datadog may refuse a ` +
        `recurrence that starts in the past or move it forward, which Terraform reports as an inconsistent result after apply; expected e.g. the next occurrence, "2026-12-06T01:00"`,
    );
    expect(result.stderr).not.toContain("maintenance[0]");
  });

  it("does not judge windows the deployed commit already had, however old their start", async () => {
    writeFileSync(path.join(dir, FILE), `${readFileSync(path.join(dir, FILE), "utf8").replace("\nslo:", `\n${pastWindow}\nslo:`)}`);
    commitAll();

    const result = await run(["example-multi", "--deployed", "HEAD", "--now", "2027-06-01T00:00Z"]);

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("judges every window of an environment the deployed commit did not have, and accepts the example's future start", async () => {
    expect((await run(["example-multi", "--deployed", "HEAD", "--now", NOW])).code).toBe(0);
    const after = await run(["example-multi", "--deployed", "HEAD", "--now", "2027-01-04T00:00Z"]);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain(`${FILE}: maintenance[0].start "2027-01-03T01:00" is not in the future`);
  });

  it("refuses a ref that is no commit, and a --now without an offset, as usage errors", async () => {
    expect(await run(["example-multi", "--deployed", "no-such-ref"])).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: --deployed "no-such-ref": not a commit of the repository holding ${dir} (expected e.g. HEAD~1 or a commit id)\n`,
    });
    expect((await run(["example-multi", "--deployed", "HEAD", "--now", "2027-01-03T01:00"])).code).toBe(2);
  });

  it("judges every window with --first-deploy, outside any git repository, and refuses it beside --deployed", async () => {
    const outside = mkdtempSync(path.join(tmpdir(), "preflight-first-"));
    try {
      copyFileSync(path.join(dir, FILE), path.join(outside, FILE));
      const runIn = (argv: readonly string[]) => {
        let stderr = "";
        const io = { env: { VPN_MONITOR_ENVIRONMENTS_DIR: outside, DD_API_KEY: "x", DD_APP_KEY: "y", TF_VAR_webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN: "z" }, cwd: outside, interactive: false, stdout: { write: () => undefined }, stderr: { write: (t: string) => void (stderr += t) } };
        return main(argv, io).then((code) => ({ code, stderr }));
      };
      expect(await runIn(["example-multi", "--first-deploy", "--now", NOW])).toEqual({ code: 0, stderr: "" });
      const late = await runIn(["example-multi", "--first-deploy", "--now", "2027-01-04T00:00Z"]);
      expect(late.code).toBe(1);
      expect(late.stderr).toContain(`preflight: invalid environment definition:\n  ${FILE}: maintenance[0].start "2027-01-03T01:00" is not in the future (now is 2027-01-03T19:00 in America/New_York)`);
      expect(await runIn(["example-multi", "--first-deploy", "--deployed", "HEAD"])).toEqual({
        code: 2,
        stderr: "error: --first-deploy says nothing is deployed yet, --deployed names what is: give one of them\n",
      });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("judges only the target's windows, and every environment's with --list, naming the file and field", async () => {
    // example-simple gains a window that started in the past; example-multi is unchanged since HEAD.
    copyFileSync(fixtureEnvironment("example-simple.yaml"), path.join(dir, "example-simple.yaml"));
    commitAll();
    const controllerWindow = ["maintenance:", "  - name: primary patching", "    rrule: FREQ=MONTHLY;BYMONTHDAY=1", '    start: "2026-11-01T02:00"', "    duration: 1h", "    timezone: Europe/Dublin", "    controller: vns3-primary", ""].join("\n");
    writeFileSync(path.join(dir, "example-simple.yaml"), `${readFileSync(path.join(dir, "example-simple.yaml"), "utf8")}\n${controllerWindow}`);

    // Deploying example-multi adds no window of example-simple: its start does not stop this deploy.
    expect(await run(["example-multi", "--deployed", "HEAD", "--now", NOW])).toMatchObject({ code: 0, stderr: "" });
    // A fleet overview deploys no window at all.
    expect((await run(["fleet-us1", "--deployed", "HEAD", "--now", NOW])).stderr).not.toContain("maintenance");

    const simple = await run(["example-simple", "--deployed", "HEAD", "--now", NOW]);
    expect(simple.code).toBe(1);
    expect(simple.stderr).toContain("preflight: invalid environment definition:\n  example-simple.yaml: maintenance[0].start \"2026-11-01T02:00\" is not in the future (now is 2026-12-02T12:00 in Europe/Dublin)");
    expect(simple.stderr).toContain('expected e.g. the next occurrence, "2027-01-01T02:00"');

    const listed = await run(["--list", "--deployed", "HEAD", "--now", NOW]);
    expect(listed.code).toBe(1);
    expect(listed.stdout).toBe("");
    expect(listed.stderr).toContain('example-simple.yaml: maintenance[0].start "2026-11-01T02:00" is not in the future');
    expect(listed.stderr).not.toContain("example-multi.yaml: maintenance");
  });

  it("judges every window of an environment whose file the deployed commit lacks, while the others keep theirs", async () => {
    copyFileSync(fixtureEnvironment("example-simple.yaml"), path.join(dir, "example-simple.yaml"));
    writeFileSync(path.join(dir, FILE), `${readFileSync(path.join(dir, FILE), "utf8").replace("\nslo:", `\n${pastWindow}\nslo:`)}`);
    git("add", "example-simple.yaml");
    git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", "example-simple only");

    const result = await run(["--list", "--deployed", "HEAD", "--now", NOW]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${FILE}: maintenance[1].start "2026-11-01T01:00" is not in the future`);
    expect(result.stderr).not.toContain(`${FILE}: maintenance[0]`);
  });
});
