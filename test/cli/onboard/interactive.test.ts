/**
 * Interactive onboarding: the flow with a scripted prompter (fast, every validation visible),
 * and once end to end through the real @inquirer/prompts, driven over pipes like a terminal.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tls from "node:tls";
import { main } from "../../cli/onboard";
import type { Prompter, SelectQuestion, TextQuestion } from "../../cli/lib/prompter";
import { loadEnvironments } from "../../stacks/environment/load";
import { cleanEnv, createCertificate, listen, memoryIo, ROOT, tempDir } from "./support/cli-harness";

/** Terminal escape sequences the prompts write (colors, cursor moves). */
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");

const FP = "3F:1A:9C:44:0B:7E:52:D1:8A:6C:E0:21:95:BB:47:0D:C8:F3:6E:19:A2:5D:73:08:E4:9B:31:CC:57:0A:F6:2E";

type Step = readonly [RegExp, string | boolean | number];

/** Answers questions from a script; a text answer that fails validation is recorded and the next one tried. */
class ScriptedPrompter implements Prompter {
  readonly rejected: { question: string; answer: string; reason: string }[] = [];
  readonly said: string[] = [];
  private next = 0;
  constructor(private readonly script: readonly Step[]) {}

  private take(message: string): string | boolean | number {
    const step = this.script[this.next++];
    if (step === undefined) throw new Error(`unexpected question: ${message}`);
    if (!step[0].test(message)) throw new Error(`expected a question matching ${step[0]}, got: ${message}`);
    return step[1];
  }

  async text(q: TextQuestion): Promise<string> {
    for (;;) {
      let answer = String(this.take(q.message));
      if (answer === "" && q.default !== undefined) answer = q.default;
      const verdict = q.validate ? q.validate(answer) : true;
      if (verdict === true) return answer;
      this.rejected.push({ question: q.message, answer, reason: verdict });
    }
  }

  async select<T>(q: SelectQuestion<T>): Promise<T> {
    const answer = this.take(q.message);
    const choice = q.choices.find((c) => c.value === answer);
    if (choice === undefined) throw new Error(`${String(answer)} is not a choice of ${q.message}`);
    return choice.value;
  }

  async confirm(q: { message: string }): Promise<boolean> {
    return Boolean(this.take(q.message));
  }

  say(text: string): void {
    this.said.push(text);
  }

  get finished(): boolean {
    return this.next === this.script.length;
  }
}

describe("npm run onboard, interactive", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
    fs.copyFileSync(path.join(ROOT, "environments/example-multi.yaml"), path.join(tmp.dir, "example-multi.yaml"));
  });
  afterEach(() => tmp.remove());

  it("asks only for what the flags leave out, validating each answer with the schema", async () => {
    // Prepare: flags give the name and region; everything else is asked.
    const prompter = new ScriptedPrompter([
      [/VPC id/, "vpc-12"],
      [/VPC id/, "vpc-0a1b2c3d4e5f60718"],
      [/Private subnet ids/, "subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60001"],
      [/Private subnet ids/, "subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002"],
      [/AWS tags/, "customer=acme"],
      [/Terraform state/, "local"],
      [/Controller 1: short name/, "VNS3"],
      [/Controller 1: short name/, "vns3-a"],
      [/Controller 1: private IP or DNS name/, "10.0.1.10"],
      [/Controller 1: API port/, ""],
      [/Controller 1: its security group id/, "sg-0a1b2c3d4e5f60101"],
      [/Controller 1: ARN of the secret/, ""],
      [/Controller 1: SHA-256 fingerprint/, "3F:1A"],
      [/Controller 1: SHA-256 fingerprint/, FP],
      [/Add another controller/, true],
      [/Controller 2: short name/, "vns3-a"],
      [/Controller 2: short name/, "vns3-b"],
      [/Controller 2: private IP or DNS name/, "10.0.2.10"],
      [/Controller 2: API port/, "8443"],
      [/Controller 2: its security group id/, "sg-0a1b2c3d4e5f60102"],
      [/Controller 2: ARN of the secret/, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/vns3-b-AbCdEf"],
      [/Controller 2: SHA-256 fingerprint/, FP],
      [/Add another controller/, false],
      [/Datadog site/, "EU"],
      [/Datadog API key/, ""],
      [/Alert mode/, "multi"],
      [/Evaluation window/, 10],
      [/Monitor priority/, 1],
      [/Extra text/, "@pagerduty-network"],
      [/Ticketing webhook URL/, "http://tickets.acme.example/hook"],
      [/Ticketing webhook URL/, "https://tickets.acme.example/hook"],
      [/Datadog webhook name/, "vpn-tickets-example-multi"],
      [/Datadog webhook name/, ""],
      [/Secret webhook variables/, "EXAMPLE_MULTI_TICKET_TOKEN"],
      [/Secret webhook variables/, "ACME_TOKEN"],
      [/Request header/, "Authorization=Bearer abc"],
      [/Request header/, "Authorization=Bearer $ACME_TOKEN"],
      [/Request header/, ""],
      [/Write .*acme-prod\.yaml\?/, true],
    ]);
    const io = memoryIo({ interactive: true });

    // Act
    const code = await main(["--name", "acme-prod", "--region", "eu-west-1", "--dir", tmp.dir], io, { prompter });

    // Assess
    expect(io.err()).toBe("");
    expect(code).toBe(0);
    expect(prompter.finished).toBe(true);
    expect(prompter.rejected.map((r) => r.reason)).toEqual([
      "vpcId is not a VPC id",
      "subnetIds lists a subnet twice",
      "name must be lowercase letters, digits and hyphens (2-32), starting with a letter",
      "tlsSha256 is not a SHA-256 fingerprint: 64 hex digits, separated by colons, spaces or nothing (openssl's `sha256 Fingerprint=` prefix is fine)",
      "name vns3-a is already used by another controller",
      "webhookUrl must be an https:// URL without credentials in it",
      `webhook name vpn-tickets-example-multi is already used by ${path.join(tmp.dir, "example-multi.yaml")}`,
      `secret variable EXAMPLE_MULTI_TICKET_TOKEN is already used by ${path.join(tmp.dir, "example-multi.yaml")} (Datadog variables are global)`,
      "ticketing.customHeaders.Authorization carries a credential: put it in a secretVariables entry and reference it as $NAME",
    ]);
    const def = loadEnvironments(tmp.dir).find((e) => e.definition.name === "acme-prod")?.definition;
    expect(def).toMatchObject({
      aws: { subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"], tags: { customer: "acme" } },
      controllers: [
        { name: "vns3-a", port: 8000, tlsSha256: FP },
        { name: "vns3-b", port: 8443, secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/vns3-b-AbCdEf" },
      ],
      datadog: { site: "EU" },
      monitor: { mode: "multi", windowMinutes: 10, priority: 1, message: "@pagerduty-network" },
      ticketing: { secretVariables: ["ACME_TOKEN"], customHeaders: { Authorization: "Bearer $ACME_TOKEN" } },
    });
    expect(def?.ticketing.webhookName).toBeUndefined();
    expect(prompter.said.join("\n")).toContain("name: acme-prod\n"); // the preview before the last question
    expect(io.out()).toContain("export TF_VAR_webhook_secret_ACME_TOKEN=<value of ACME_TOKEN>");
  });

  it("writes nothing when the operator declines the preview", async () => {
    const io = memoryIo({ interactive: true });
    const flags = [
      "--name=acme-prod",
      "--region=eu-west-1",
      "--vpc=vpc-0a1b2c3d4e5f60718",
      "--subnets=subnet-0a1b2c3d4e5f60001",
      `--controller=name=vns3-a,host=10.0.1.10,port=8000,sg=sg-0a1b2c3d4e5f60101,secret=,fingerprint=${FP}`,
      "--site=US1",
      "--api-key-secret=",
      "--mode=simple",
      "--window=5",
      "--priority=",
      "--message=",
      "--webhook-url=https://tickets.acme.example/hook",
      "--webhook-name=acme-hook",
      "--tag=customer=acme",
      "--s3-bucket=acme-state",
      "--s3-region=eu-west-1",
    ];

    // Every value is given except secret variables and headers, which interactive mode asks for.
    const withLists = new ScriptedPrompter([[/Secret webhook variables/, ""], [/Write /, false]]);
    const code = await main([...flags, "--dir", tmp.dir], io, { prompter: withLists });

    expect(code).toBe(1);
    expect(io.err()).toBe("Not written.\n");
    expect(withLists.finished).toBe(true);
    expect(fs.readdirSync(tmp.dir)).toEqual(["example-multi.yaml"]);
  });

  it("never prompts with --no-interactive, even in a terminal", async () => {
    const prompter = new ScriptedPrompter([]);
    const io = memoryIo({ interactive: true });

    const code = await main(["--no-interactive", "--name", "acme-prod", "--dir", tmp.dir], io, { prompter });

    expect(code).toBe(1);
    expect(io.err()).toContain("error: missing --region (the AWS region of the VPC, e.g. eu-west-1)\n");
    expect(fs.readdirSync(tmp.dir)).toEqual(["example-multi.yaml"]);
  });

  it("drives the real prompts over pipes, reading the certificate live when the fingerprint is left empty", async () => {
    // Prepare: a controller stand-in that only needs to present its certificate.
    const cert = await createCertificate();
    const server = await listen(tls.createServer({ key: cert.key, cert: cert.cert }, (s) => s.on("error", () => undefined)));
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "cli/onboard.ts", "--interactive", "--dir", tmp.dir], {
      cwd: ROOT,
      env: cleanEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    let stderr = "";
    let cursor = 0;
    child.stdout.on("data", (d: Buffer) => (screen += d.toString("utf8").replace(ANSI_ESCAPE, "")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const waitFor = async (pattern: RegExp): Promise<void> => {
      const end = Date.now() + 10_000;
      for (;;) {
        const match = pattern.exec(screen.slice(cursor));
        if (match) {
          cursor += match.index + match[0].length;
          return;
        }
        if (Date.now() > end) throw new Error(`prompt ${pattern} did not appear; screen so far:\n${screen.slice(-2000)}\nstderr:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const answer = async (pattern: RegExp, keys: string) => {
      await waitFor(pattern);
      child.stdin.write(keys);
    };
    const CTRL_U = "\x15"; // clear the line after a rejected answer
    const DOWN = "\x1b[B";

    try {
      // Act
      await answer(/Environment name/, "example-multi\n");
      await answer(/is already used by/, `${CTRL_U}acme-lab\n`);
      await answer(/AWS region of the VPC/, "eu-west-1\n");
      await answer(/VPC id the checker runs in/, "vpc-0a1b2c3d4e5f60718\n");
      await answer(/Private subnet ids/, "subnet-0a1b2c3d4e5f60001\n");
      await answer(/AWS tags/, "\n");
      await answer(/Terraform state/, "\n");
      await answer(/Controller 1: short name/, "vns3-lab\n");
      await answer(/Controller 1: private IP/, "127.0.0.1\n");
      await answer(/Controller 1: API port/, `${server.port}\n`);
      await answer(/Controller 1: its security group id/, "sg-0a1b2c3d4e5f60101\n");
      await answer(/Controller 1: ARN of the secret/, "\n");
      await answer(/Controller 1: SHA-256 fingerprint/, "\n");
      await answer(/Pin this certificate/, "y\n");
      await answer(/Add another controller/, "n\n");
      await answer(/Datadog site/, "\n");
      await answer(/ARN of the secret with the Datadog API key/, "\n");
      await answer(/Alert mode/, `${DOWN}\n`);
      await answer(/Evaluation window/, "\n");
      await answer(/Monitor priority/, "\n");
      await answer(/Extra text/, "\n");
      await answer(/Ticketing webhook URL/, "http://tickets.acme.example/hook\n");
      await answer(/must be an https/, `${CTRL_U}https://tickets.acme.example/hook\n`);
      await answer(/Datadog webhook name/, "\n");
      await answer(/Secret webhook variables/, "\n");
      await answer(/\? Write /, "y\n");
      const code = await exited;

      // Assess
      expect(stderr.replace(/^npm warn.*\n/gm, "")).toBe("");
      expect(code).toBe(0);
      const def = loadEnvironments(tmp.dir).find((e) => e.definition.name === "acme-lab")?.definition;
      expect(def).toMatchObject({ controllers: [{ name: "vns3-lab", host: "127.0.0.1", port: server.port, tlsSha256: cert.fingerprint256 }], monitor: { mode: "multi" } });
      expect(screen).toContain("Self-signed  yes");
      expect(screen).toContain(`Wrote ${path.join(tmp.dir, "acme-lab.yaml")}`);
      expect(screen).not.toContain("Confirm the pinned certificates"); // read live and confirmed
    } finally {
      child.kill();
      await server.close();
    }
  });
});
