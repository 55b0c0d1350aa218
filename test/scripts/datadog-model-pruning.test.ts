import { readFileSync } from "node:fs";
import * as path from "node:path";
import { pruneSerializerSource, reachableModels, SUBMIT_METRICS_ROOT_TYPES } from "../../scripts/datadog-model-pruning";

const MODELS_DIR = path.dirname(
  require.resolve("@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/models/ObjectSerializer.js"),
);
const serializerSource = readFileSync(path.join(MODELS_DIR, "ObjectSerializer.js"), "utf8");
const allModels = new Set([...serializerSource.matchAll(/^const (\w+)_1 = require\("\.\/(\w+)"\);$/gm)].map((m) => m[2]!));

describe("Datadog model pruning", () => {
  it("keeps exactly the models that a submitMetrics request, response and error reach", () => {
    const kept = reachableModels(MODELS_DIR, SUBMIT_METRICS_ROOT_TYPES, {}, allModels);

    expect([...kept].sort()).toEqual([
      "APIErrorResponse",
      "IntakePayloadAccepted",
      "MetricMetadata",
      "MetricOrigin",
      "MetricPayload",
      "MetricPoint",
      "MetricResource",
      "MetricSeries",
    ]);
    expect(allModels.size).toBeGreaterThan(1000);
  });

  it("follows oneOf unions to their member models", () => {
    const kept = reachableModels(MODELS_DIR, ["Union"], { Union: ["MetricPoint", "MetricResource"] }, allModels);

    expect([...kept].sort()).toEqual(["MetricPoint", "MetricResource"]);
  });

  it("drops the require lines and registry entries of every other model", () => {
    const kept = new Set<string>(["MetricPayload", "MetricSeries"]);

    const pruned = pruneSerializerSource(serializerSource, kept);

    expect(pruned).toContain('const MetricPayload_1 = require("./MetricPayload");');
    expect(pruned).toContain("    MetricSeries: MetricSeries_1.MetricSeries,");
    expect(pruned).not.toContain('require("./MetricPoint")');
    expect(pruned).not.toContain("MetricPoint_1");
    expect(pruned.match(/require\("\.\/\w+"\)/g)).toHaveLength(2);
  });

  it("refuses to emit a serializer that still references a dropped model", () => {
    const source = 'const A_1 = require("./A");\nconst B_1 = require("./B");\nconst typeMap = {\n    A: A_1.A,\n};\nfoo(B_1.B);\n';

    expect(() => pruneSerializerSource(source, new Set(["A"]))).toThrow("left references to B");
  });
});
