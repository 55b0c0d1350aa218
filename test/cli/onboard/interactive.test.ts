/**
 * Interactive onboarding with a scripted prompter: fast, and every validation message visible.
 * The real prompts in a real terminal are driven in terminal.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../../cli/onboard/main";
import type { Prompter, SearchQuestion, SelectQuestion, TextQuestion } from "../../../cli/shared/prompter";
import { loadEnvironments } from "../../../stacks/environment/load";
import * as tls from "node:tls";
import { createCertificate, listen, memoryIo, tempDir } from "../../helpers/cli-harness";
import { fixtureEnvironment } from "../../helpers/fixture-environments";

const FP = "3F:1A:9C:44:0B:7E:52:D1:8A:6C:E0:21:95:BB:47:0D:C8:F3:6E:19:A2:5D:73:08:E4:9B:31:CC:57:0A:F6:2E";

type Step = readonly [RegExp, string | boolean | number | object];

/** Answers questions from a script; a text answer that fails validation is recorded and the next one tried. */
class ScriptedPrompter implements Prompter {
  readonly rejected: { question: string; answer: string; reason: string }[] = [];
  readonly said: string[] = [];
  /** What the search list showed for each typed term. */
  readonly filtered: { term: string; shown: string[] }[] = [];
  readonly asked: string[] = [];
  /** The choices each select question offered, by its message. */
  readonly offered = new Map<string, SelectQuestion<unknown>["choices"]>();
  private next = 0;
  constructor(private readonly script: readonly Step[]) {}

  private take(message: string): Step[1] {
    this.asked.push(message);
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
    this.offered.set(q.message, q.choices);
    const answer = this.take(q.message);
    const choice = q.choices.find((c) => (typeof answer === "object" ? JSON.stringify(c.value) === JSON.stringify(answer) : c.value === answer));
    if (choice === undefined) throw new Error(`${JSON.stringify(answer)} is not a choice of ${q.message}: ${q.choices.map((c) => JSON.stringify(c.value)).join(", ")}`);
    return choice.value;
  }

  /** Each step's answer is what is typed; Enter takes the first choice shown, and fails on none. */
  async search<T>(q: SearchQuestion<T>): Promise<T> {
    for (;;) {
      const term = String(this.take(q.message));
      const shown = q.source(term);
      this.filtered.push({ term, shown: shown.map((c) => String(c.value)) });
      if (shown[0] !== undefined) return shown[0].value;
    }
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

const GIVEN = [
  "--name=acme-prod",
  "--region=eu-west-1",
  "--vpc=vpc-0a1b2c3d4e5f60718",
  "--subnets=subnet-0a1b2c3d4e5f60001",
  `--controller=name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP}`,
  "--site=EU",
  "--api-key-secret=",
  "--mode=simple",
  "--window=5",
  "--priority=",
  "--message=",
  "--webhook-url=https://tickets.acme.example/hook",
  "--webhook-name=acme-hook",
  "--tag=customer=acme",
  "--state-bucket=acme-state",
  "--secret-variable=",
];

describe("npm run onboard, interactive", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
    // example-multi (US1, S3) holds its site's fleet overview state: marked, so that a new US1
    // environment with another bucket may join (stacks/fleet-state.ts).
    const multi = fs.readFileSync(fixtureEnvironment("example-multi.yaml"), "utf8").replace("  bucket: example-terraform-state\n", "  bucket: example-terraform-state\n  fleet: true\n");
    fs.writeFileSync(path.join(tmp.dir, "example-multi.yaml"), multi);
  });
  afterEach(() => tmp.remove());

  it("asks only for what the flags leave out, refusing each bad answer with the same words as its flag", async () => {
    // Prepare: flags give the name and region; everything else is asked.
    const prompter = new ScriptedPrompter([
      [/VPC id/, "vpc-12"],
      [/VPC id/, "vpc-0a1b2c3d4e5f60718"],
      [/Private subnet ids/, "subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60001"],
      [/Private subnet ids/, "subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002"],
      [/AWS tags/, "customer=acme"],
      [/Terraform state/, "s3"],
      [/S3 bucket for the state/, "Acme_State"],
      [/S3 bucket for the state/, "acme-state"],
      [/Region of the bucket/, ""],
      [/Controller 1: short name/, "VNS3"],
      [/Controller 1: short name/, "vns3-a"],
      [/Controller 1: private IP or DNS name/, "10.0.1.10:8443"],
      [/Controller 1: its security group id/, "sg-0a1b2c3d4e5f60101"],
      [/Controller 1: ARN of the secret/, ""],
      [/Controller 1: SHA-256 fingerprint/, "3F:1A"],
      [/Controller 1: SHA-256 fingerprint/, `sha256 Fingerprint=${FP}`],
      [/Controller 1: date its API token expires/, "31/03/2027"],
      [/Controller 1: date its API token expires/, "2027-03-31"],
      [/Add another controller/, true],
      [/Controller 2: short name/, "vns3-a"],
      [/Controller 2: short name/, "vns3-b"],
      [/Controller 2: private IP or DNS name/, "10.0.2.10"],
      [/Controller 2: API port/, ""],
      [/Controller 2: its security group id/, "sg-0a1b2c3d4e5f60102"],
      [/Controller 2: ARN of the secret/, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/vns3-b-AbCdEf"],
      [/Controller 2: SHA-256 fingerprint/, FP.replace(/:/g, " ")],
      [/Controller 2: date its API token expires/, ""],
      [/Add another controller/, false],
      // US1, where example-multi lives: its webhook name and variable are taken there.
      [/Datadog site/, "datadoghq.com"],
      [/Datadog API key/, ""],
      [/Alert mode/, "partner"],
      [/Evaluation window/, "10"],
      [/Monitor priority/, "1"],
      [/Extra text/, "@pagerduty-network"],
      [/Ticketing webhook URL/, "http://tickets.acme.example/hook"],
      [/Ticketing webhook URL/, "https://tickets.acme.example/hook"],
      [/Datadog webhook name/, "vpn-tickets-example-multi"],
      [/Datadog webhook name/, ""],
      [/Secret webhook variables/, "EXAMPLE_MULTI_TICKET_TOKEN"],
      [/Secret webhook variables/, "ACME_TOKEN"],
      [/Request header/, "Authorization Bearer"],
      [/Request header/, "Authorization=Bearer $ACME_TOKEN"],
      [/Request header/, ""],
      [/Write .*acme-prod\.yaml\?/, "write"],
    ]);
    const io = memoryIo({ interactive: true });

    // Act
    const code = await main(["--name", "acme-prod", "--region", "eu-west-1", "--dir", tmp.dir], io, { prompter });

    // Assess
    expect(io.err()).toBe("");
    expect(code).toBe(0);
    expect(prompter.finished).toBe(true);
    expect(prompter.rejected.map((r) => r.reason)).toEqual([
      '"vpc-12": expected a VPC id: vpc- and 8 or 17 hex digits (e.g. vpc-0a1b2c3d4e5f60718)',
      '"subnet-0a1b2c3d4e5f60001": is listed twice',
      '"Acme_State": expected an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens',
      '"VNS3": expected the controller\'s short name: lowercase letters, digits and hyphens, 2-32, starting with a letter (e.g. vns3-primary)',
      "\"3F:1A\": expected a SHA-256 fingerprint: 64 hex digits, separated by colons, spaces or nothing (openssl's `sha256 Fingerprint=` prefix is fine)",
      "\"31/03/2027\": expected a date YYYY-MM-DD (e.g. 2027-03-31), the day the controller's API token (or password) expires",
      '"vns3-a": is already used by another controller',
      "expected an https:// URL without credentials in it",
      `"vpn-tickets-example-multi": is already used by ${path.join(tmp.dir, "example-multi.yaml")} (webhook names are unique within a Datadog organization)`,
      `"EXAMPLE_MULTI_TICKET_TOKEN": is already used by ${path.join(tmp.dir, "example-multi.yaml")} (Datadog variables are unique within an organization)`,
      'expected Name=value, e.g. "Authorization=Bearer $ACME_TICKET_TOKEN"',
    ]);
    // The alert modes are the schema's, each described.
    expect(prompter.offered.get("Alert mode")).toEqual([
      { value: "simple", name: "simple", description: "one alert (one ticket) for the environment when any tunnel drops" },
      { value: "partner", name: "partner", description: "one alert (one ticket) per partner endpoint, naming the partner, however many of its tunnels are down" },
      { value: "tunnel", name: "tunnel", description: "one alert (one ticket) per tunnel" },
    ]);
    // The state question explains the trade-off first.
    expect(prompter.said.join("\n")).toContain("a CI runner discards it");
    // host:port answered the port: no port question for controller 1.
    expect(prompter.asked.filter((q) => q.startsWith("Controller 1: API port"))).toEqual([]);
    const def = loadEnvironments(tmp.dir).find((e) => e.definition.name === "acme-prod")?.definition;
    expect(def).toMatchObject({
      aws: { subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"], tags: { customer: "acme" } },
      backend: { type: "s3", bucket: "acme-state" },
      controllers: [
        { name: "vns3-a", port: 8443, tlsSha256: FP, credentialExpires: "2027-03-31" },
        { name: "vns3-b", port: 8000, tlsSha256: FP, secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/vns3-b-AbCdEf" },
      ],
      datadog: { site: "US1" },
      monitor: { mode: "partner", windowMinutes: 10, priority: 1, message: "@pagerduty-network" },
      ticketing: { secretVariables: ["ACME_TOKEN"], customHeaders: { Authorization: "Bearer $ACME_TOKEN" } },
    });
    expect(def?.ticketing.webhookName).toBeUndefined();
    expect(def?.controllers[1]).not.toHaveProperty("credentialExpires");
    const preview = prompter.said.join("\n");
    expect(preview).toContain('    credentialExpires: "2027-03-31"\n');
    expect(preview).toContain("name: acme-prod\n");
    expect(preview).toContain("The same without questions:\n  npm run onboard -- --name acme-prod --region eu-west-1 ");
    expect(preview).toContain(` --header 'Authorization=Bearer $ACME_TOKEN' --dir ${tmp.dir} --no-interactive`);
  });

  it("checks every flag before the first question", async () => {
    const prompter = new ScriptedPrompter([]);
    const io = memoryIo({ interactive: true });

    const code = await main(["--vpc", "vpc-1", "--sit", "EU", "--dir", tmp.dir], io, { prompter });

    expect(code).toBe(2);
    expect(prompter.asked).toEqual([]);
    expect(io.err()).toBe(
      'error: unknown flag --sit (did you mean --site?)\nerror: --vpc "vpc-1": expected a VPC id: vpc- and 8 or 17 hex digits (e.g. vpc-0a1b2c3d4e5f60718)\nNothing was written.\nEvery flag: npm run onboard -- --help\n',
    );
  });

  it("filters the site list by what is typed, and never falls back to US1", async () => {
    const prompter = new ScriptedPrompter([
      [/Datadog site/, "xyz"],
      [/Datadog site/, "app.datadoghq.eu"],
      [/Write /, "write"],
    ]);
    const io = memoryIo({ interactive: true });

    const code = await main(GIVEN.filter((f) => !f.startsWith("--site")).concat("--dir", tmp.dir), io, { prompter });

    expect(code).toBe(0);
    expect(prompter.filtered).toEqual([
      { term: "xyz", shown: [] },
      { term: "app.datadoghq.eu", shown: ["EU"] },
    ]);
    expect(fs.readFileSync(path.join(tmp.dir, "acme-prod.yaml"), "utf8")).toContain("  site: EU\n");
  });

  it.each([
    ["eu", ["EU"]],
    ["ap", ["AP1", "AP2"]],
    ["AP2", ["AP2"]],
    ["us", ["US1", "US3", "US5"]],
    ["a", ["AP1", "AP2"]],
    ["datadoghq", ["US1", "EU"]],
    ["ddog", ["GOV"]],
    // Hosts typed half-way: in no site's name or domain, but the start of one host (contract/datadog-sites.ts).
    ["app.datadoghq.e", ["EU"]],
    ["https://api.us5.datad", ["US5"]],
    ["app.datadoghq.", ["US1", "EU"]],
    ["", ["US1", "US3", "US5", "EU", "AP1", "AP2", "GOV"]],
  ])("typing %j at the site list shows %j", async (term, shown) => {
    const prompter = new ScriptedPrompter([[/Datadog site/, term], [/Write /, "cancel"]]);

    await main(GIVEN.filter((f) => !f.startsWith("--site")).concat("--dir", tmp.dir), memoryIo({ interactive: true }), { prompter });

    expect(prompter.filtered[0]).toEqual({ term, shown });
  });

  it("at the preview, changes one answer and keeps the others", async () => {
    const prompter = new ScriptedPrompter([
      [/Write .*acme-prod\.yaml\?/, "change"],
      [/Which answer/, { row: "windowMinutes" }],
      [/Evaluation window/, "15"],
      [/Write .*acme-prod\.yaml\?/, "change"],
      [/Which answer/, { controller: 0 }],
      [/Controller 1: short name/, ""],
      [/Controller 1: private IP/, "10.0.1.20"],
      [/Controller 1: API port/, ""],
      [/Controller 1: its security group id/, ""],
      [/Controller 1: ARN of the secret/, ""],
      [/Controller 1: SHA-256 fingerprint/, FP],
      [/Controller 1: date its API token expires/, "2027-03-31"],
      [/Write .*acme-prod\.yaml\?/, "write"],
    ]);
    const io = memoryIo({ interactive: true });

    const code = await main([...GIVEN, "--dir", tmp.dir], io, { prompter });

    expect(io.err()).toBe("");
    expect(code).toBe(0);
    const def = loadEnvironments(tmp.dir).find((e) => e.definition.name === "acme-prod")?.definition;
    expect(def).toMatchObject({ monitor: { windowMinutes: 15 }, controllers: [{ name: "vns3-a", host: "10.0.1.20", port: 8000 }], ticketing: { webhookName: "acme-hook" } });
    const previews = prompter.said.filter((s) => s.startsWith("  npm run onboard -- "));
    expect(previews).toHaveLength(3);
    expect(previews[0]).not.toContain("--window");
    expect(previews[1]).toContain(" --window 15 ");
    expect(previews[2]).toContain(" --controller name=vns3-a,host=10.0.1.20,sg=sg-0a1b2c3d4e5f60101,fingerprint=");
    expect(previews[2]).toContain(",expires=2027-03-31 ");
    expect(def?.controllers[0]?.credentialExpires).toBe("2027-03-31");
  });

  it("writes nothing when the operator cancels at the preview", async () => {
    const prompter = new ScriptedPrompter([[/Write /, "cancel"]]);
    const io = memoryIo({ interactive: true });

    const code = await main([...GIVEN, "--dir", tmp.dir], io, { prompter });

    expect(code).toBe(1);
    expect(io.err()).toBe("Cancelled. Nothing was written.\n");
    expect(prompter.finished).toBe(true);
    expect(fs.readdirSync(tmp.dir)).toEqual(["example-multi.yaml"]);
  });

  it("never prompts with --no-interactive, even in a terminal", async () => {
    const prompter = new ScriptedPrompter([]);
    const io = memoryIo({ interactive: true });

    const code = await main(["--no-interactive", "--name", "acme-prod", "--dir", tmp.dir], io, { prompter });

    expect(code).toBe(1);
    expect(io.err()).toContain("error: missing --region: AWS region of the VPC: an AWS region, e.g. eu-west-1\n");
    expect(prompter.asked).toEqual([]);
    expect(fs.readdirSync(tmp.dir)).toEqual(["example-multi.yaml"]);
  });

  describe("a certificate that is not the controller's own", () => {
    /** What a host behind a TLS-inspecting proxy sees: a leaf minted for the controller's address by the proxy's CA. */
    async function proxyServer() {
      const ca = await createCertificate({ commonName: "Corp Inspection CA" });
      const minted = await createCertificate({ commonName: "127.0.0.1", signedBy: { key: ca.key, cert: ca.cert } });
      const server = await listen(tls.createServer({ key: minted.key, cert: minted.cert }, (socket) => socket.on("error", () => undefined)));
      return { ...server, fingerprint256: minted.fingerprint256 };
    }
    const withoutFingerprint = (port: number) => GIVEN.map((arg) => (arg.startsWith("--controller=") ? `--controller=name=vns3-a,host=127.0.0.1:${port},sg=sg-0a1b2c3d4e5f60101` : arg));

    it("is not offered for pinning: onboarding names the issuer and asks for a fingerprint again", async () => {
      const proxy = await proxyServer();
      try {
        const prompter = new ScriptedPrompter([
          [/Controller 1: ARN of the secret/, ""],
          [/Controller 1: SHA-256 fingerprint/, ""],
          [/Controller 1: SHA-256 fingerprint/, FP],
          [/Controller 1: date its API token expires/, ""],
          [/Write .*acme-prod\.yaml\?/, "write"],
        ]);
        const io = memoryIo({ interactive: true });
        expect(await main([...withoutFingerprint(proxy.port), "--dir", tmp.dir], io, { prompter })).toBe(0);
        expect(prompter.said).toContain(
          `Not offered for pinning: the certificate 127.0.0.1:${proxy.port} presented is not self-signed: it was issued by "CN=Corp Inspection CA". ` +
            "A VNS3 controller's own certificate is self-signed; this one is most likely a TLS-inspecting proxy's or a load balancer's between here and the controller, " +
            "and pinning it would make the checker refuse the real controller. Run this from a host with a direct path to the controller (the checker's subnet), " +
            "or, if the controller really carries a CA-issued certificate, pass --allow-issued-certificate.",
        );
        const def = loadEnvironments(tmp.dir).find((e) => e.definition.name === "acme-prod")?.definition;
        expect(def?.controllers[0]?.tlsSha256).toBe(FP);
      } finally {
        await proxy.close();
      }
    });

    it("is offered with --allow-issued-certificate, with a warning naming the issuer", async () => {
      const proxy = await proxyServer();
      try {
        const prompter = new ScriptedPrompter([
          [/Controller 1: ARN of the secret/, ""],
          [/Controller 1: SHA-256 fingerprint/, ""],
          [/Pin this certificate/, true],
          [/Controller 1: date its API token expires/, "2027-03-31"],
          [/Write .*acme-prod\.yaml\?/, "write"],
        ]);
        const io = memoryIo({ interactive: true });
        expect(await main([...withoutFingerprint(proxy.port), "--allow-issued-certificate", "--dir", tmp.dir], io, { prompter })).toBe(0);
        expect(prompter.said).toContain('WARNING: pinning a certificate issued by "CN=Corp Inspection CA", not a self-signed one (--allow-issued-certificate): make sure it is the controller\'s own and not a proxy\'s.');
        const def = loadEnvironments(tmp.dir).find((e) => e.definition.name === "acme-prod")?.definition;
        expect(def?.controllers[0]).toMatchObject({ tlsSha256: proxy.fingerprint256, credentialExpires: "2027-03-31" });
      } finally {
        await proxy.close();
      }
    });
  });
});
