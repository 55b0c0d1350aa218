/**
 * `npm run onboard` in a real terminal: the process runs under util-linux `script`, which gives it
 * a pseudo-terminal for stdin and stdout (so it prompts, as for an operator), and the test types
 * keys into it and reads the screen. Skipped, with the reason printed, where `script` is missing.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tls from "node:tls";
import { loadEnvironments } from "../../../stacks/environment/load";
import { cleanEnv, createCertificate, listen, ROOT, tempDir } from "../../helpers/cli-harness";
import { fixtureEnvironment } from "../../helpers/fixture-environments";

/** Terminal escape sequences the prompts write (colors, cursor moves). */
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");
const ENTER = "\r";
const DOWN = "\x1b[B";
const CTRL_U = "\x15"; // clears the line after a refused answer

const script = spawnSync("script", ["--version"], { encoding: "utf8" });
const hasScript = script.status === 0 && /util-linux/.test(script.stdout);
if (!hasScript) console.warn(`skipped: util-linux \`script\` is not on this machine (${script.error?.message ?? script.stdout.trim()}), so no pseudo-terminal`);

/** A POSIX shell word. */
const sh = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

(hasScript ? describe : describe.skip)("npm run onboard in a pseudo-terminal", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
    fs.copyFileSync(fixtureEnvironment("example-multi.yaml"), path.join(tmp.dir, "example-multi.yaml"));
  });
  afterEach(() => tmp.remove());

  it("asks, reads a fingerprint live, filters the site list, changes one answer at the preview and writes", async () => {
    // Prepare: a controller stand-in that only needs to present its certificate.
    const cert = await createCertificate();
    const server = await listen(tls.createServer({ key: cert.key, cert: cert.cert }, (s) => s.on("error", () => undefined)));
    const command = [
      process.execPath,
      path.join(ROOT, "node_modules/tsx/dist/cli.mjs"),
      "cli/onboard/main.ts",
      "--region=eu-west-1",
      "--vpc=vpc-0a1b2c3d4e5f60718",
      "--subnets=subnet-0a1b2c3d4e5f60001",
      "--tag=customer=acme",
      `--controller=name=vns3-lab,host=127.0.0.1:${server.port},sg=sg-0a1b2c3d4e5f60101`,
      "--api-key-secret=",
      "--mode=multi",
      "--priority=",
      "--message=",
      "--webhook-url=https://tickets.acme.example/hook",
      "--webhook-name=",
      "--secret-variable=",
      `--dir=${tmp.dir}`,
    ]
      .map(sh)
      .join(" ");
    const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: ROOT, env: cleanEnv({ TERM: "xterm" }), stdio: ["pipe", "pipe", "pipe"] });
    let screen = "";
    let cursor = 0;
    child.stdout.on("data", (d: Buffer) => (screen += d.toString("utf8").replace(ANSI_ESCAPE, "")));
    child.stderr.on("data", (d: Buffer) => (screen += d.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const waitFor = async (pattern: RegExp): Promise<void> => {
      const end = Date.now() + 15_000;
      for (;;) {
        const match = pattern.exec(screen.slice(cursor));
        if (match) {
          cursor += match.index + match[0].length;
          return;
        }
        if (Date.now() > end) throw new Error(`${pattern} did not appear; screen so far:\n${screen.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    const type = async (pattern: RegExp, keys: string) => {
      await waitFor(pattern);
      // Let the prompt finish drawing before the keys arrive.
      await new Promise((r) => setTimeout(r, 60));
      child.stdin.write(keys);
    };

    try {
      // Act
      await type(/Environment name/, `example-multi${ENTER}`);
      await type(/is already used by/, `${CTRL_U}acme-lab${ENTER}`);
      await waitFor(/a CI runner discards it/);
      await type(/Terraform state/, ENTER); // S3 bucket (first choice)
      await type(/S3 bucket for the state/, `acme-state${ENTER}`);
      await type(/Region of the bucket/, ENTER);
      await type(/Controller 1: ARN of the secret/, ENTER);
      await type(/Controller 1: SHA-256 fingerprint/, ENTER);
      await type(/Pin this certificate/, `y${ENTER}`);
      await type(/date its API token expires/, ENTER);
      await type(/Datadog site/, "datadoghq.eu");
      await waitFor(/EU +datadoghq\.eu/);
      await type(/datadoghq\.eu/, ENTER);
      await type(/Evaluation window/, ENTER);
      await type(/The same without questions:/, "");
      await type(/Write .*acme-lab\.yaml\?/, `${DOWN}${ENTER}`); // Change one answer
      // Menu: name, region, VPC, subnets, tags, state, controller 1, add a controller, site,
      // API key secret, alert mode, evaluation window.
      await type(/Which answer\?/, `${DOWN.repeat(12)}${ENTER}`);
      await type(/Evaluation window/, `${DOWN}${ENTER}`); // 5 → 10
      await type(/--window 10 /, "");
      await type(/Write .*acme-lab\.yaml\?/, ENTER);
      const code = await exited;

      // Assess
      expect(code).toBe(0);
      const def = loadEnvironments(tmp.dir).find((e) => e.definition.name === "acme-lab")?.definition;
      expect(def).toMatchObject({
        backend: { type: "s3", bucket: "acme-state" },
        controllers: [{ name: "vns3-lab", host: "127.0.0.1", port: server.port, tlsSha256: cert.fingerprint256 }],
        datadog: { site: "EU" },
        // --mode=multi, the earlier name, is written as the mode it stands for now.
        monitor: { mode: "tunnel", windowMinutes: 10 },
      });
      expect(screen).toContain("Self-signed  yes");
      expect(screen).toContain(`Wrote ${path.join(tmp.dir, "acme-lab.yaml")}`);
      expect(screen).not.toContain("Confirm the pinned certificates"); // read live and confirmed
      expect(screen).not.toContain("NodeVersionSupportWarning");
    } finally {
      child.kill();
      await server.close();
    }
  });
});
