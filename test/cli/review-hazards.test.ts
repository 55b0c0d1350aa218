/**
 * The review puts a change of a stack's backend at the very top, as a hazard: the state moves,
 * and the next apply would start from empty state. Trees are plain cdk.tf.json objects in the
 * shape cdktf writes (terraform.backend.<type>).
 */
import { diffTrees, type StackJson } from "../../cli/review/diff";
import { backendHazards } from "../../cli/review/hazards";
import { FOLD_AFTER, renderJson, renderReport } from "../../cli/review/render";

const s3 = (bucket: string, key: string, region = "us-east-1"): StackJson => ({ terraform: { backend: { s3: { bucket, key, region, encrypt: true, use_lockfile: true } } } });
const withDashboard = (stack: StackJson, title: string): StackJson => ({ ...stack, resource: { datadog_dashboard_json: { dashboard: { dashboard: JSON.stringify({ title }) } } } });
const context = { baseLabel: "origin/main (abc1234)" };

describe("backend changes are hazards at the top of the review", () => {
  it("names the stack, each setting before and after, and what happens, above the summary", () => {
    const base = new Map([
      ["vpn-monitor-fleet-us1", s3("example-terraform-state", "vpn-monitor/fleet-us1.tfstate")],
      ["vpn-monitor-acme", s3("acme-state", "vpn-monitor/acme.tfstate")],
    ]);
    const head = new Map([
      ["vpn-monitor-fleet-us1", s3("aaa-other-bucket", "vpn-monitor/fleet-us1.tfstate", "eu-west-1")],
      ["vpn-monitor-acme", s3("acme-state", "vpn-monitor/acme.tfstate")],
    ]);
    const diff = diffTrees(base, head);

    expect(backendHazards(diff)).toEqual([
      {
        stack: "vpn-monitor-fleet-us1",
        target: "fleet-us1",
        changes: [
          { setting: "s3.bucket", before: "example-terraform-state", after: "aaa-other-bucket" },
          { setting: "s3.region", before: "us-east-1", after: "eu-west-1" },
        ],
      },
    ]);
    const report = renderReport(diff, context);
    const lines = report.split("\n");
    expect(lines.slice(0, 9)).toEqual([
      "# Monitoring review against origin/main (abc1234)",
      "",
      "> [!CAUTION]",
      "> **HAZARD: the Terraform state of 1 stack moves. Do not approve until it has been moved.**",
      ">",
      "> - **fleet-us1** (`vpn-monitor-fleet-us1`): its backend changes: s3.bucket `example-terraform-state` → `aaa-other-bucket`; s3.region `us-east-1` → `eu-west-1`.",
      ">",
      "> The next apply would start from EMPTY state at the new location: it would try to create every resource again, while the old state still holds the real ones.",
      "> Move the state first (docs/operations.md, \"Move a stack's state\"), or undo the change.",
    ]);
    expect(lines[10]).toMatch(/^1 environments: 0 changed/);
    expect(JSON.parse(renderJson(diff, context)).hazards).toEqual(backendHazards(diff));
  });

  it("counts a move from S3 to local state, and several stacks at once", () => {
    const base = new Map([
      ["vpn-monitor-a", s3("bucket-a", "vpn-monitor/a.tfstate")],
      ["vpn-monitor-b", s3("bucket-b", "vpn-monitor/b.tfstate")],
    ]);
    const head = new Map<string, StackJson>([
      ["vpn-monitor-a", { terraform: { backend: { local: { path: "terraform.vpn-monitor-a.tfstate" } } } }],
      ["vpn-monitor-b", s3("bucket-b", "vpn-monitor/b-renamed.tfstate")],
    ]);
    const report = renderReport(diffTrees(base, head), context);
    expect(report).toContain("> **HAZARD: the Terraform state of 2 stacks move. Do not approve until it has been moved.**");
    expect(report).toContain("> - **a** (`vpn-monitor-a`): its backend changes: local.path (none) → `terraform.vpn-monitor-a.tfstate`; s3.bucket `bucket-a` → (none);");
    expect(report).toContain("> - **b** (`vpn-monitor-b`): its backend changes: s3.key `vpn-monitor/b.tfstate` → `vpn-monitor/b-renamed.tfstate`.");
  });

  it("says nothing for a new or removed stack, or a stack whose backend stays", () => {
    const base = new Map([
      ["vpn-monitor-old", s3("bucket", "vpn-monitor/old.tfstate")],
      ["vpn-monitor-same", s3("bucket", "vpn-monitor/same.tfstate")],
    ]);
    const head = new Map([
      ["vpn-monitor-new", s3("bucket", "vpn-monitor/new.tfstate")],
      ["vpn-monitor-same", withDashboard(s3("bucket", "vpn-monitor/same.tfstate"), "changed")],
    ]);
    const diff = diffTrees(base, head);
    expect(diff.stacks.map((s) => [s.stack, s.status])).toEqual([
      ["vpn-monitor-new", "added"],
      ["vpn-monitor-old", "removed"],
      ["vpn-monitor-same", "changed"],
    ]);
    expect(backendHazards(diff)).toEqual([]);
    expect(renderReport(diff, context)).not.toContain("HAZARD");
  });
});

describe("long documents fold", () => {
  const dashboard = (widgets: number, title: string): StackJson => ({
    ...s3("bucket", "vpn-monitor/acme.tfstate"),
    resource: { datadog_dashboard_json: { dashboard: { dashboard: JSON.stringify({ title, widgets: Array.from({ length: widgets }, (_, i) => ({ id: i, title: `${title} ${i}` })) }) } } },
  });

  it(`folds a resource with more than ${FOLD_AFTER} attribute changes under <details>, each change still listed`, () => {
    const report = renderReport(diffTrees(new Map([["vpn-monitor-acme", dashboard(20, "old")]]), new Map([["vpn-monitor-acme", dashboard(20, "new")]])), context);
    const lines = report.split("\n");
    const head = lines.findIndex((l) => l.startsWith("- ✏️ changed `datadog_dashboard_json.dashboard`"));
    expect(lines.slice(head + 1, head + 3)).toEqual(["  <details><summary>21 attribute changes</summary>", ""]);
    expect(lines.slice(head + 3, head + 24).every((l) => l.startsWith("  - `dashboard{json}."))).toBe(true);
    expect(lines.slice(head + 24, head + 26)).toEqual(["", "  </details>"]);
    expect(report).toContain("  - `dashboard{json}.widgets[19].title`: `old 19` → `new 19`");
  });

  it(`leaves ${FOLD_AFTER} changes or fewer open`, () => {
    const report = renderReport(diffTrees(new Map([["vpn-monitor-acme", dashboard(2, "old")]]), new Map([["vpn-monitor-acme", dashboard(2, "new")]])), context);
    expect(report).not.toContain("<details>");
    expect(report).toContain("  - `dashboard{json}.title`: `old` → `new`");
  });
});
