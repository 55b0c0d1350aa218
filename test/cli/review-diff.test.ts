import { diffTrees, type StackJson } from "../../cli/review/diff";
import { bootstrapSkipNotes, changedTargets, exampleSkipNotes, renderJson, renderReport } from "../../cli/review/render";
import { diffLines, focusOnDifference } from "../../cli/review/text-diff";

const SIMPLE_QUERY = "min(last_5m):min:vpn.tunnel.status{vpn_environment:acme} < 1";
const MULTI_QUERY = "min(last_5m):min:vpn.tunnel.status{vpn_environment:acme} by {tunnel} < 1";
const MESSAGE = "{{#is_alert}}\nTunnel down in acme.\n{{/is_alert}}\n\n@webhook-tickets";

const monitor = (query: string, message = MESSAGE, extra: Record<string, unknown> = {}) => ({
  "//": { metadata: { path: "vpn-monitor-acme/monitors/tunnels", uniqueId: "monitors_tunnels_1" } },
  name: "VPN tunnel down: acme",
  type: "query alert",
  query,
  message,
  monitor_thresholds: { critical: "1" },
  ...extra,
});

const lambda = (hash: string, extra: Record<string, unknown> = {}) => ({
  function_name: "vpn-monitor-acme-checker",
  filename: `assets/checker-code/${hash}/archive.zip`,
  source_code_hash: hash,
  memory_size: 256,
  ...extra,
});

/** A small stack shaped like cdktf's output; `resource` entries are merged by type. */
function stack(overrides: { resource?: Record<string, Record<string, unknown>> } & Record<string, unknown> = {}): StackJson {
  const { resource = {}, ...rest } = overrides;
  return {
    "//": { metadata: { version: "0.21.0", stackName: "vpn-monitor-acme" } },
    terraform: { backend: { s3: { bucket: "state", key: "vpn-monitor/acme.tfstate" } } },
    provider: { aws: [{ region: "eu-west-1" }] },
    resource: {
      datadog_monitor: { monitors_tunnels_1: monitor(SIMPLE_QUERY) },
      aws_lambda_function: { checker_function_1: lambda("AAAA1111AAAA1111AAAA1111AAAA1111") },
      ...resource,
    },
    ...rest,
  };
}

const tree = (...stacks: [string, StackJson][]) => new Map(stacks);
const context = { baseLabel: "main (abc)" };
const diffOne = (before: StackJson, after: StackJson) => diffTrees(tree(["vpn-monitor-acme", before]), tree(["vpn-monitor-acme", after]));

describe("review diff", () => {
  it("reports identical trees as unchanged, by name, under the unchanged environments", () => {
    const diff = diffOne(stack(), stack());

    expect(diff.changed).toBe(false);
    expect(diff.stacks).toEqual([{ stack: "vpn-monitor-acme", kind: "environment", status: "unchanged", monitors: [], webhooks: [], codeChanges: [], entries: [] }]);
    expect(renderReport(diff, context)).toContain("## Unchanged environments\n\n- acme: no changes");
  });

  it("ignores cdktf metadata", () => {
    const after = stack({ "//": { metadata: { version: "0.21.1" } } });
    (after.resource as Record<string, Record<string, Record<string, unknown>>>).datadog_monitor!.monitors_tunnels_1!["//"] = { metadata: { path: "elsewhere" } };

    expect(diffOne(stack(), after).changed).toBe(false);
  });

  it("calls out a monitor's mode, exact query, notifications and message first, before the resources", () => {
    const message = MESSAGE.replace("Tunnel down", "Tunnel {{tunnel.name}} down") + " @slack-netops";
    const after = stack({ resource: { datadog_monitor: { monitors_tunnels_1: monitor(MULTI_QUERY, message) } } });

    const diff = diffOne(stack(), after);

    expect(diff.stacks[0]!.monitors).toEqual([
      {
        address: "datadog_monitor.monitors_tunnels_1",
        name: "VPN tunnel down: acme",
        kind: "changed",
        mode: { before: "simple", after: "multi (tunnel)" },
        query: { before: SIMPLE_QUERY, after: MULTI_QUERY },
        notifications: { before: ["@webhook-tickets"], after: ["@slack-netops", "@webhook-tickets"] },
        message: [
          { op: "same", text: "{{#is_alert}}" },
          { op: "removed", text: "Tunnel down in acme." },
          { op: "added", text: "Tunnel {{tunnel.name}} down in acme." },
          { op: "same", text: "{{/is_alert}}" },
          { op: "same", text: "" },
          { op: "removed", text: "@webhook-tickets" },
          { op: "added", text: "@webhook-tickets @slack-netops" },
        ],
        otherChanges: [],
      },
    ]);
    const report = renderReport(diff, context);
    expect(report.indexOf("### Monitoring changes")).toBeLessThan(report.indexOf("### Resources"));
    expect(report).toContain("  - mode: `simple` → `multi (tunnel)`\n");
    expect(report).toContain(`  - query: \`${SIMPLE_QUERY}\` → \`${MULTI_QUERY}\`\n`);
    expect(report).toContain("  - notifies: `@webhook-tickets` → `@slack-netops @webhook-tickets`\n");
    expect(report).toContain("    ```diff\n     {{#is_alert}}\n    -Tunnel down in acme.\n    +Tunnel {{tunnel.name}} down in acme.\n");
    expect(report).toContain("- ✏️ changed `datadog_monitor.monitors_tunnels_1` (monitors/tunnels): see Monitoring changes");
  });

  it("shows threshold, a rename and other monitor settings before → after", () => {
    const after = stack({
      resource: {
        datadog_monitor: { monitors_tunnels_1: { ...monitor(SIMPLE_QUERY), name: "Tunnel down: acme", monitor_thresholds: { critical: "1", warning: "2" }, renotify_interval: 60 } },
      },
    });

    const report = renderReport(diffOne(stack(), after), context);

    expect(report).toContain("- **Tunnel down: acme** (monitor changed)");
    expect(report).toContain("  - threshold: `critical 1` → `critical 1, warning 2`");
    expect(report).toContain("  - `name`: `VPN tunnel down: acme` → `Tunnel down: acme`");
    expect(report).toContain("  - `renotify_interval`: `60`");
  });

  it("shows a new bundle as a code change, not as two attribute changes", () => {
    const after = stack({ resource: { aws_lambda_function: { checker_function_1: lambda("BBBB2222BBBB2222BBBB2222BBBB2222") } } });

    const diff = diffOne(stack(), after);

    expect(diff.stacks[0]).toMatchObject({
      status: "changed",
      codeChanges: [{ address: "aws_lambda_function.checker_function_1", before: "AAAA1111AAAA1111AAAA1111AAAA1111", after: "BBBB2222BBBB2222BBBB2222BBBB2222" }],
      entries: [],
    });
    expect(renderReport(diff, context)).toContain(
      "Lambda code changed (bundle hash `AAAA1111AAAA1111AAAA1111AAAA1111` → `BBBB2222BBBB2222BBBB2222BBBB2222`) in `aws_lambda_function.checker_function_1`.",
    );
  });

  it("reads the bundle hash from the asset path when there is no source_code_hash, and keeps other Lambda changes", () => {
    const without = (hash: string, memory: number) => ({ filename: `assets/checker-code/${hash}/archive.zip`, memory_size: memory });
    const before = stack({ resource: { aws_lambda_function: { checker_function_1: without("AAAA1111AAAA1111AAAA1111AAAA1111", 256) } } });
    const after = stack({ resource: { aws_lambda_function: { checker_function_1: without("CCCC3333CCCC3333CCCC3333CCCC3333", 512) } } });

    const [diffed] = diffOne(before, after).stacks;

    expect(diffed!.codeChanges).toEqual([{ address: "aws_lambda_function.checker_function_1", before: "AAAA1111AAAA1111AAAA1111AAAA1111", after: "CCCC3333CCCC3333CCCC3333CCCC3333" }]);
    expect(diffed!.entries[0]!.changes).toEqual([{ path: "memory_size", before: "256", after: "512", sensitive: false }]);
  });

  it("diffs inside JSON documents such as IAM policies", () => {
    const policy = (resource: string) => JSON.stringify({ Statement: [{ Action: ["secretsmanager:GetSecretValue"], Resource: [resource] }] });
    const before = stack({ resource: { aws_iam_role_policy: { p: { policy: policy("arn:one") } } } });
    const after = stack({ resource: { aws_iam_role_policy: { p: { policy: policy("arn:two") } } } });

    expect(diffOne(before, after).stacks[0]!.entries).toEqual([
      {
        address: "aws_iam_role_policy.p",
        type: "aws_iam_role_policy",
        kind: "changed",
        changes: [
          { path: "policy{json}.Statement[0].Resource[-]", before: "arn:one", sensitive: false },
          { path: "policy{json}.Statement[0].Resource[+]", after: "arn:two", sensitive: false },
        ],
      },
    ]);
  });

  it("compares lists of values as lists: an insertion is one addition, a reordering says so", () => {
    const withSubnets = (ids: string[]) => stack({ resource: { aws_lambda_function: { checker_function_1: lambda("AAAA1111AAAA1111AAAA1111AAAA1111", { vpc_config: { subnet_ids: ids } }) } } });

    const inserted = diffOne(withSubnets(["subnet-a", "subnet-c"]), withSubnets(["subnet-a", "subnet-b", "subnet-c"]));
    const reordered = diffOne(withSubnets(["subnet-a", "subnet-c"]), withSubnets(["subnet-c", "subnet-a"]));

    expect(inserted.stacks[0]!.entries[0]!.changes).toEqual([{ path: "vpc_config.subnet_ids[+]", after: "subnet-b", sensitive: false }]);
    expect(reordered.stacks[0]!.entries[0]!.changes).toEqual([{ path: "vpc_config.subnet_ids (order)", before: "subnet-a, subnet-c", after: "subnet-c, subnet-a", sensitive: false }]);
  });

  it("shows the attributes of an added resource whole, lists as lists", () => {
    const after = stack({
      resource: {
        aws_vpc_security_group_ingress_rule: {
          "network_api-in_1": { "//": { metadata: { path: "vpn-monitor-acme/network/api-in" } }, security_group_id: "sg-0123456789abcdef0", from_port: 8000, to_port: 8000, ip_protocol: "tcp" },
        },
        aws_security_group: { sg: { name: "checker", tags: ["a", "b"] } },
      },
    });

    const report = renderReport(diffOne(stack(), after), context);

    expect(report).toContain(
      "- ➕ added `aws_vpc_security_group_ingress_rule.network_api-in_1` (network/api-in)\n  - `from_port`: `8000`\n  - `ip_protocol`: `tcp`\n  - `security_group_id`: `sg-0123456789abcdef0`\n  - `to_port`: `8000`\n",
    );
    expect(report).toContain('  - `tags`: `["a","b"]`');
    expect(report).toContain("### Resources: 2 added, 0 changed, 0 removed");
  });

  it("puts webhook changes with the monitoring changes", () => {
    const webhook = (url: string) => ({ datadog_webhook: { tickets_webhook_1: { name: "vpn-tickets-acme", url, payload: JSON.stringify({ id: "$ALERT_ID" }) } } });

    const report = renderReport(diffOne(stack({ resource: webhook("https://t.example.com/a") }), stack({ resource: webhook("https://t.example.com/b") })), context);

    const monitoring = report.slice(report.indexOf("### Monitoring changes"), report.indexOf("### Resources"));
    expect(monitoring).toContain("- **webhook vpn-tickets-acme** (changed) `datadog_webhook.tickets_webhook_1`\n  - `url`: `https://t.example.com/a` → `https://t.example.com/b`");
  });

  it("reports environments added and removed, and that removing one destroys nothing by itself", () => {
    const diff = diffTrees(tree(["vpn-monitor-old", stack()]), tree(["vpn-monitor-new", stack()]));

    expect(diff.stacks.map((s) => [s.stack, s.status])).toEqual([
      ["vpn-monitor-new", "added"],
      ["vpn-monitor-old", "removed"],
    ]);
    const report = renderReport(diff, context);
    expect(report).toContain("2 environments: 0 changed, 1 added, 1 removed, 0 unchanged.");
    expect(report.indexOf("## old: environment removed")).toBeLessThan(report.indexOf("## new: new environment"));
    expect(report).toContain("**Merging does not destroy them**: run `npx cdktf destroy vpn-monitor-old`");
    expect(report).toContain("- **VPN tunnel down: acme** (monitor new) `datadog_monitor.monitors_tunnels_1`\n  - mode: — → `simple`");
  });

  it("reports stacks known to be unchanged without their synthesized trees", () => {
    const diff = diffTrees(tree(["vpn-monitor-acme", stack()]), tree(["vpn-monitor-acme", stack()]), { unchangedStacks: ["vpn-monitor-zeta", "vpn-monitor-beta"] });

    expect(diff.stacks.map((s) => [s.stack, s.status])).toEqual([
      ["vpn-monitor-acme", "unchanged"],
      ["vpn-monitor-beta", "unchanged"],
      ["vpn-monitor-zeta", "unchanged"],
    ]);
    expect(diff.changed).toBe(false);
  });

  it("renders the same diff as JSON, with the report's notes", () => {
    const after = stack({ resource: { datadog_monitor: { monitors_tunnels_1: monitor(MULTI_QUERY) } } });

    const json = JSON.parse(renderJson(diffOne(stack(), after), { baseLabel: "main (abc)", notes: ["a note"] })) as { base: string; notes: string[]; changed: boolean; stacks: { monitors: { mode: unknown }[] }[] };

    expect(json).toMatchObject({ base: "main (abc)", notes: ["a note"], changed: true });
    expect(json.stacks[0]!.monitors[0]!.mode).toEqual({ before: "simple", after: "multi (tunnel)" });
  });
});

/**
 * A fleet overview's stack as stacks/fleet-stack.ts synthesizes it: a Datadog provider only, and one
 * `datadog_dashboard_json` whose `dashboard` is the dashboard's JSON (terraform-provider-datadog,
 * docs/resources/dashboard_json.md). Its `vpn_environment` template variable lists the environments
 * in `available_values` (Datadog API v1 `DashboardTemplateVariable`: name, prefix, available_values, default).
 */
function fleetStack(environments: readonly string[], key = "vpn-monitor/fleet-eu.tfstate"): StackJson {
  const dashboard = {
    title: "VPN tunnels: fleet",
    layout_type: "ordered",
    template_variables: [{ name: "vpn_environment", prefix: "vpn_environment", available_values: environments, default: "*" }],
    widgets: [{ definition: { type: "note", content: environments.map((e) => `- [${e}](https://app.datadoghq.eu/dashboard/lists?q=VPN%20tunnels%3A%20${e})`).join("\n") } }],
  };
  return {
    terraform: { backend: { s3: { bucket: "state", key } } },
    provider: { datadog: [{ api_url: "https://api.datadoghq.eu/" }] },
    resource: { datadog_dashboard_json: { dashboard: { "//": { metadata: { path: "vpn-monitor-fleet-eu/dashboard" } }, dashboard: JSON.stringify(dashboard) } } },
  };
}

describe("review of fleet overviews", () => {
  const section = (report: string, heading: string) => {
    const start = report.indexOf(heading);
    expect(start).toBeGreaterThanOrEqual(0);
    const next = report.indexOf("\n## ", start + heading.length);
    return report.slice(start, next < 0 ? undefined : next);
  };

  it("reports a fleet overview in its own section, names the environments its dashboard gains and loses, and counts it apart from environments", () => {
    const diff = diffTrees(
      tree(["vpn-monitor-acme", stack()], ["vpn-monitor-fleet-eu", fleetStack(["acme", "old"])], ["vpn-monitor-fleet-us1", fleetStack(["beta"])]),
      tree(["vpn-monitor-acme", stack()], ["vpn-monitor-fleet-eu", fleetStack(["acme", "new"])], ["vpn-monitor-fleet-us1", fleetStack(["beta"])]),
    );

    expect(diff.stacks.map((s) => [s.stack, s.kind, s.status])).toEqual([
      ["vpn-monitor-acme", "environment", "unchanged"],
      ["vpn-monitor-fleet-eu", "fleet", "changed"],
      ["vpn-monitor-fleet-us1", "fleet", "unchanged"],
    ]);
    expect(diff.stacks[1]!.fleet).toEqual({ environmentsAdded: ["new"], environmentsRemoved: ["old"] });
    const report = renderReport(diff, context);
    expect(report).toContain("\n1 environments: 0 changed, 0 added, 0 removed, 1 unchanged. Fleet overviews: vpn-monitor-fleet-eu changed, vpn-monitor-fleet-us1 unchanged.\n");
    const fleet = section(report, "## Fleet overview (vpn-monitor-fleet-eu): changed");
    expect(fleet).toContain("Stack `vpn-monitor-fleet-eu`: the dashboard over every environment on its Datadog site, deployed like an environment as `fleet-eu`.\n\nEnvironments on the dashboard: ➕ `new`, ➖ `old`.\n");
    expect(fleet).toContain("### Resources: 0 added, 1 changed, 0 removed\n\n- ✏️ changed `datadog_dashboard_json.dashboard` (dashboard)\n");
    expect(fleet).toContain("  - `dashboard{json}.template_variables[0].available_values[+]`: `new`\n");
    expect(fleet).toContain("  - `dashboard{json}.template_variables[0].available_values[-]`: `old` (removed)\n");
    expect(report).not.toContain("## fleet-eu");
    expect(report).toMatch(/## Unchanged environments\n\n- acme: no changes\n\n## Unchanged fleet overviews\n\n- vpn-monitor-fleet-us1: no changes\n$/);
    expect(changedTargets(diff)).toEqual(["fleet-eu"]);
  });

  it("puts changed environments before fleet overviews, in the report and in the deploy targets, and leaves removed ones out of the targets", () => {
    const diff = diffTrees(
      tree(["vpn-monitor-zeta", stack()], ["vpn-monitor-fleet", fleetStack(["zeta"], "vpn-monitor/fleet.tfstate")]),
      tree(["vpn-monitor-zeta", stack({ resource: { datadog_monitor: { monitors_tunnels_1: monitor(MULTI_QUERY) } } })], ["vpn-monitor-alpha", stack()], ["vpn-monitor-fleet", fleetStack(["alpha", "zeta"], "vpn-monitor/fleet.tfstate")]),
    );

    expect(changedTargets(diff)).toEqual(["alpha", "zeta", "fleet"]);
    const report = renderReport(diff, context);
    expect(report).toContain("2 environments: 1 changed, 1 added, 0 removed, 0 unchanged. Fleet overview: vpn-monitor-fleet changed.\n");
    expect(report.indexOf("## zeta: changed")).toBeLessThan(report.indexOf("## Fleet overview (vpn-monitor-fleet): changed"));
    expect(section(report, "## Fleet overview (vpn-monitor-fleet): changed")).toContain("Environments on the dashboard: ➕ `alpha`.\n");
  });

  it("lists only the working tree's deploy targets, and says why a changed example is none", () => {
    const diff = diffTrees(
      tree(["vpn-monitor-zeta", stack()], ["vpn-monitor-fleet", fleetStack(["zeta"], "vpn-monitor/fleet.tfstate")]),
      tree(["vpn-monitor-zeta", stack({ resource: { datadog_monitor: { monitors_tunnels_1: monitor(MULTI_QUERY) } } })], ["vpn-monitor-alpha", stack()], ["vpn-monitor-fleet", fleetStack(["alpha", "zeta"], "vpn-monitor/fleet.tfstate")]),
    );
    // alpha is an example (deploy: false): the review shows it, the deploy run must not plan it.
    const isTarget = (target: string) => target !== "alpha";

    expect(changedTargets(diff, isTarget)).toEqual(["zeta", "fleet"]);
    expect(exampleSkipNotes(diff, isTarget)).toEqual(["alpha: not a deploy target (an example, deploy: false in its definition): reviewed, never deployed"]);
    expect(exampleSkipNotes(diff, () => true)).toEqual([]);
  });

  it("marks an example's section, and a fleet overview of examples only, as reviewed and never deployed", () => {
    const diff = diffTrees(
      tree(["vpn-monitor-zeta", stack()], ["vpn-monitor-fleet", fleetStack(["zeta"], "vpn-monitor/fleet.tfstate")]),
      tree(["vpn-monitor-zeta", stack({ resource: { datadog_monitor: { monitors_tunnels_1: monitor(MULTI_QUERY) } } })], ["vpn-monitor-alpha", stack()], ["vpn-monitor-fleet", fleetStack(["alpha", "zeta"], "vpn-monitor/fleet.tfstate")]),
    );

    const report = renderReport(diff, { ...context, examples: new Set(["alpha", "fleet"]) });

    expect(section(report, "## alpha: new environment")).toContain("Stack `vpn-monitor-alpha`.\n\n**An example** (`deploy: false` in its definition): reviewed here, never deployed or drift-checked.\n");
    expect(section(report, "## Fleet overview (vpn-monitor-fleet): changed")).toContain("**Shows examples only** (`deploy: false`): reviewed here, never deployed or drift-checked.\n");
    expect(section(report, "## zeta: changed")).not.toContain("An example");
    expect(renderReport(diff, context)).not.toContain("deploy: false");
  });

  it("says that merging does not destroy a fleet overview that is no longer synthesized, and lists the new one's resources", () => {
    // Environments on EU and US1 until now; the last US1 one moves to EU: one plain fleet replaces the per-site ones.
    const diff = diffTrees(
      tree(["vpn-monitor-fleet-eu", fleetStack(["acme"])], ["vpn-monitor-fleet-us1", fleetStack(["beta"], "vpn-monitor/fleet-us1.tfstate")]),
      tree(["vpn-monitor-fleet", fleetStack(["acme", "beta"], "vpn-monitor/fleet.tfstate")]),
    );

    expect(changedTargets(diff)).toEqual(["fleet"]);
    const report = renderReport(diff, context);
    expect(report).toContain("0 environments: 0 changed, 0 added, 0 removed, 0 unchanged. Fleet overviews: vpn-monitor-fleet new, vpn-monitor-fleet-eu removed, vpn-monitor-fleet-us1 removed.\n");
    const removed = section(report, "## Fleet overview (vpn-monitor-fleet-us1): removed");
    expect(removed).toContain("**Merging does not destroy its dashboard**: run `npx cdktf destroy vpn-monitor-fleet-us1` from a checkout that still synthesizes it (before merging)");
    expect(removed).not.toContain("Environments on the dashboard");
    const added = section(report, "## Fleet overview (vpn-monitor-fleet): new");
    expect(added).toContain("Environments on the dashboard: ➕ `acme`, ➕ `beta`.\n");
    expect(added).toContain("  - `s3.key`: `vpn-monitor/fleet.tfstate`");
    expect(added).toContain("  - `api_url`: `https://api.datadoghq.eu/`");
  });

  it("knows a fleet overview reported unchanged without synthesis, and marks every stack's kind in the JSON", () => {
    const diff = diffTrees(new Map(), new Map(), { unchangedStacks: ["vpn-monitor-acme", "vpn-monitor-fleet"] });

    expect(renderReport(diff, context)).toContain("1 environments: 0 changed, 0 added, 0 removed, 1 unchanged. Fleet overview: vpn-monitor-fleet unchanged.\n");
    const json = JSON.parse(renderJson(diff, context)) as { stacks: { stack: string; kind: string; fleet?: unknown }[] };
    expect(json.stacks.map((s) => [s.stack, s.kind, s.fleet])).toEqual([
      ["vpn-monitor-acme", "environment", undefined],
      ["vpn-monitor-fleet", "fleet", { environmentsAdded: [], environmentsRemoved: [] }],
    ]);
  });
});

describe("review text diff", () => {
  it("diffs lines by their longest common subsequence", () => {
    expect(diffLines("a\nb\nc", "a\nc\nd")).toEqual([
      { op: "same", text: "a" },
      { op: "removed", text: "b" },
      { op: "same", text: "c" },
      { op: "added", text: "d" },
    ]);
  });

  it("focuses two long values on the part that differs", () => {
    const before = `${"x".repeat(100)} in the last 5 minutes ${"y".repeat(100)}`;
    const after = `${"x".repeat(100)} in the last 10 minutes ${"y".repeat(100)}`;

    expect(focusOnDifference(before, after, 5)).toEqual({ before: "…last 5 minu…", after: "…last 10 minu…" });
  });
});

describe("the bootstrap stack (bootstrap.yaml)", () => {
  const role = (subjects: string[]) => ({ name: "github-vpn-monitor-deploy", assume_role_policy: JSON.stringify({ Statement: [{ Condition: { StringEquals: { "token.actions.githubusercontent.com:sub": subjects } } }] }) });
  const bootstrap = (subjects: string[]): StackJson => ({ resource: { aws_iam_role: { "deploy-role_role_1": role(subjects) } } }) as unknown as StackJson;

  it("is reviewed like every stack but never a deploy target: the skip and its reason are printed", () => {
    const diff = diffTrees(
      tree(["vpn-monitor-acme", stack()], ["vpn-monitor-bootstrap", bootstrap(["repo:acme/vpn-monitor:environment:acme"])]),
      tree(["vpn-monitor-acme", stack()], ["vpn-monitor-beta", stack()], ["vpn-monitor-bootstrap", bootstrap(["repo:acme/vpn-monitor:environment:acme", "repo:acme/vpn-monitor:environment:beta"])]),
    );
    expect(diff.stacks.find((s) => s.stack === "vpn-monitor-bootstrap")).toMatchObject({ kind: "bootstrap", status: "changed" });
    expect(changedTargets(diff)).toEqual(["beta"]);
    expect(bootstrapSkipNotes(diff)).toEqual([
      'vpn-monitor-bootstrap changed: not deployed by the workflow (its roles are the deploy credentials); apply it by hand with the account\'s administrator credentials: from main, npx cdktf synth, then terraform init and terraform apply in cdktf.out/stacks/vpn-monitor-bootstrap (docs/onboarding.md, "Bootstrap")',
    ]);
    const report = renderReport(diff, context);
    expect(report).toContain("## bootstrap: changed\n\nStack `vpn-monitor-bootstrap`.\n\n**The deploy workflow does not apply this stack** (its roles are the deploy credentials)");
    expect(report).toContain("repo:acme/vpn-monitor:environment:beta");
  });
});
