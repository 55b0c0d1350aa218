/**
 * Definition text is data, never code: a definition's strings reach cdk.tf.json with Terraform's
 * template sequences escaped (`${` → `$${`, `%{` → `%%{`), so a pull request that edits a
 * definition cannot make its own plan call nonsensitive() on a ticketing secret or read a file.
 * Where Terraform is installed, a tiny configuration shows it reads the synthesized text back as
 * the literal the definition holds.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import type { EnvironmentInput } from "../../contract/definition/schema";
import { terraformLiteral, terraformLiterals } from "../../stacks/terraform-literal";
import { findTerraform } from "../helpers/terraform";
import { resourcesOf, synthEnvironment } from "../helpers/synth";
import { fixtureEnvironment } from "../helpers/fixture-environments";

/** The two payloads of issue 19: a secret printed in clear, and the process environment read. */
const SECRET = "${nonsensitive(var.webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN)}";
const FILE = '${file("/proc/self/environ")}';
const DIRECTIVE = "%{ for k in keys(var) }${k}%{ endfor }";

const example = (): EnvironmentInput => parse(readFileSync(fixtureEnvironment("example-multi.yaml"), "utf8")) as EnvironmentInput;

describe("terraformLiteral", () => {
  it.each([
    [SECRET, "$${nonsensitive(var.webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN)}"],
    [FILE, '$${file("/proc/self/environ")}'],
    [DIRECTIVE, "%%{ for k in keys(var) }$${k}%%{ endfor }"],
    ["already $${escaped}", "already $$${escaped}"],
    // Datadog's syntax is not Terraform's: unchanged.
    ["{{#is_alert}}Down: {{tunnel.name}}{{/is_alert}} $EXAMPLE_MULTI_TICKET_TOKEN $ {x} % {y}", "{{#is_alert}}Down: {{tunnel.name}}{{/is_alert}} $EXAMPLE_MULTI_TICKET_TOKEN $ {x} % {y}"],
  ])("%s → %s", (text, literal) => {
    expect(terraformLiteral(text)).toBe(literal);
  });

  it("maps every string of a definition, keys included, and leaves the backend, numbers and booleans alone", () => {
    const input = { name: "acme", monitor: { message: SECRET, priority: 2, enabled: true }, aws: { tags: { "k${x}": FILE } }, list: [DIRECTIVE, 3], backend: { type: "s3", key: "a/${b}" } };
    expect(terraformLiterals(input)).toEqual({
      name: "acme",
      monitor: { message: "$${nonsensitive(var.webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN)}", priority: 2, enabled: true },
      aws: { tags: { "k$${x}": '$${file("/proc/self/environ")}' } },
      list: ["%%{ for k in keys(var) }$${k}%%{ endfor }", 3],
      backend: { type: "s3", key: "a/${b}" },
    });
    expect(input.monitor.message).toBe(SECRET);
  });
});

describe("a synthesized stack carries a definition's template sequences as escaped text", () => {
  const input = example();
  input.monitor!.message = `Partner contacts are in the runbook. ${SECRET} @pagerduty-network`;
  input.aws!.tags = { customer: FILE };
  input.ticketing!.customHeaders = { Authorization: "Bearer $EXAMPLE_MULTI_TICKET_TOKEN", "X-Probe": SECRET };
  input.ticketing!.payload = JSON.stringify({ title: "$EVENT_TITLE", leak: FILE });
  (input.maintenance as { name: string }[])[0]!.name = `weekly ${DIRECTIVE}`;
  const stack = synthEnvironment(input);
  const json = JSON.stringify(stack);

  it("contains no unescaped ${ or %{ from the definition anywhere", () => {
    // Every `${` left is one of the stack's own references (var., data., aws_…, datadog_…, jsonencode…).
    const references = [...json.matchAll(/(?<!\$)\$\{([^}]*)\}/g)].map((m) => m[1]!);
    for (const reference of references) expect(reference).not.toMatch(/nonsensitive|file\(|keys\(var\)|^k$/);
    expect(json).not.toMatch(/(?<!%)%\{/);
    // The payloads appear only escaped, each at least once.
    expect(json.split(SECRET).every((before, i, parts) => i === parts.length - 1 || before.endsWith("$"))).toBe(true);
    expect(json).toContain("$${nonsensitive(var.webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN)}");
  });

  it("escapes each field where it lands: monitor message, tags, webhook header and payload, downtime message", () => {
    const escapedSecret = "$${nonsensitive(var.webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN)}";
    const escapedFile = '$${file(\\"/proc/self/environ\\")}';
    const monitors = resourcesOf(stack, "datadog_monitor").map((m) => m.message as string);
    expect(monitors.some((m) => m.includes(`Partner contacts are in the runbook. ${escapedSecret} @pagerduty-network`))).toBe(true);
    const provider = stack.provider.aws![0] as { default_tags: { tags: Record<string, string> }[] };
    expect(provider.default_tags[0]!.tags.customer).toBe('$${file("/proc/self/environ")}');
    const webhook = resourcesOf(stack, "datadog_webhook")[0]!;
    expect(JSON.parse(webhook.custom_headers as string)).toEqual({ Authorization: "Bearer $EXAMPLE_MULTI_TICKET_TOKEN", "X-Probe": escapedSecret });
    expect(webhook.payload as string).toContain(escapedFile);
    const downtimes = resourcesOf(stack, "datadog_downtime_schedule").map((d) => JSON.stringify(d));
    expect(downtimes.some((d) => d.includes("weekly %%{ for k in keys(var) }$${k}%%{ endfor }"))).toBe(true);
  });
});

const terraform = findTerraform();
const describeWithTerraform = terraform.ok ? describe : describe.skip;
if (!terraform.ok) process.stdout.write(`terraform-literal.test.ts: ${terraform.why}; Terraform's reading is not checked here\n`);

describeWithTerraform("Terraform reads the escaped text as the literal (built-in outputs, no provider)", () => {
  it.each([SECRET, FILE, DIRECTIVE, "already $${escaped}", "plain {{#is_alert}} $VAR"])("%s", (text) => {
    const dir = mkdtempSync(path.join(tmpdir(), "tf-literal-"));
    try {
      // A variable the payload names, sensitive as the stack's are: nonsensitive() would print it.
      const config = {
        variable: { webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN: { type: "string", sensitive: true, default: "canary-secret" } },
        output: { text: { value: terraformLiteral(text) } },
      };
      writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config));
      const env = { PATH: process.env.PATH, HOME: dir, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
      const run = (...args: string[]) => spawnSync("terraform", args, { cwd: dir, encoding: "utf8", env });
      expect(run("init", "-input=false", "-no-color").status).toBe(0);
      const applied = run("apply", "-input=false", "-no-color", "-auto-approve");
      expect(applied.stderr).toBe("");
      const output = run("output", "-json", "text");
      expect(JSON.parse(output.stdout)).toBe(text);
      expect(applied.stdout + output.stdout).not.toContain("canary-secret");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
