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

async function run(argv: readonly string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    env: { VPN_MONITOR_ENVIRONMENTS_DIR: dir, DD_API_KEY: "x", DD_APP_KEY: "y", TF_VAR_webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN: "z" },
    cwd: dir,
    interactive: false,
    stdout: { write: (t: string) => void (stdout += t) },
    stderr: { write: (t: string) => void (stderr += t) },
  });
  return { code, stdout, stderr };
}

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
});
