/**
 * An esbuild plugin that keeps only the Datadog v2 models the checker can reach.
 *
 * Why: `MetricsApi` imports the v2 `ObjectSerializer`, whose type registry `require`s every one of
 * the ~3,000 v2 model classes. esbuild cannot tree-shake a registry, so the bundle carried 3.9 MB
 * of models and `require` took about half a second, on every cold start. The checker calls one
 * operation, `submitMetrics`, whose request, response and error bodies reach a handful of models.
 *
 * How: when esbuild loads `ObjectSerializer.js`, compute the transitive closure of the model types
 * reachable from `roots` (following each model's `attributeTypeMap` and the `oneOfMap` unions),
 * and drop the `require` lines and registry entries of every other model. The serializer itself is
 * untouched. The rewrite is derived from the installed package on every build, so an upgrade of
 * the client cannot silently desynchronize it; if the file no longer has the expected shape, the
 * build fails rather than shipping a broken serializer.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { Plugin } from "esbuild";

/** Body types of `MetricsApi.submitMetrics`: request, 202 response, and error responses. */
export const SUBMIT_METRICS_ROOT_TYPES = ["MetricPayload", "IntakePayloadAccepted", "APIErrorResponse"] as const;

const SERIALIZER_FILE = /datadog-api-client-v2[\\/]models[\\/]ObjectSerializer\.js$/;
const MODEL_REQUIRE = /^const (\w+)_1 = require\("\.\/(\w+)"\);\n/gm;
const TYPE_MAP_ENTRY = /^ {4}(\w+): (\w+)_1\.\w+,\n/gm;

/** Reads a `const <name> = { … };` object literal of plain data out of the generated file. */
function readDataBlock(source: string, name: string): Record<string, unknown> {
  const start = source.indexOf(`const ${name} = {`);
  if (start < 0) throw new Error(`ObjectSerializer.js has no ${name}: the Datadog client changed shape`);
  const end = source.indexOf("\n};", start);
  const literal = source.slice(start + `const ${name} = `.length, end + 2);
  // The block is generated data (strings and arrays of strings), not code.
  return new Function(`return (${literal});`)() as Record<string, unknown>;
}

/** Model type names mentioned in a model's attribute types, e.g. `Array<MetricSeries>` → MetricSeries. */
function referencedTypes(modelSource: string): string[] {
  const names: string[] = [];
  for (const [, type] of modelSource.matchAll(/\btype: "([^"]+)"/g)) {
    names.push(...(type!.match(/\b[A-Z]\w*/g) ?? []));
  }
  return names;
}

/** Model classes reachable from `roots`, given the models folder and the serializer's `oneOfMap`. */
export function reachableModels(modelsDir: string, roots: readonly string[], oneOfMap: Record<string, unknown>, modelNames: ReadonlySet<string>): Set<string> {
  const reached = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (reached.has(name)) continue;
    const union = oneOfMap[name];
    if (Array.isArray(union)) {
      pending.push(...(union as string[]));
    }
    if (!modelNames.has(name)) continue; // enums, primitives and unions have no class of their own
    reached.add(name);
    pending.push(...referencedTypes(readFileSync(path.join(modelsDir, `${name}.js`), "utf8")));
  }
  return reached;
}

/** Rewrites the serializer source to register only `keep`. Exported for tests. */
export function pruneSerializerSource(source: string, keep: ReadonlySet<string>): string {
  const pruned = source
    .replace(MODEL_REQUIRE, (line, alias: string) => (keep.has(alias) ? line : ""))
    .replace(TYPE_MAP_ENTRY, (line, _name: string, alias: string) => (keep.has(alias) ? line : ""));
  const dangling = [...pruned.matchAll(/\b(\w+)_1\./g)]
    .map((m) => m[1]!)
    .filter((alias) => !keep.has(alias) && !/^(util|logger)$/.test(alias));
  if (dangling.length > 0) {
    throw new Error(`pruning the Datadog models left references to ${[...new Set(dangling)].slice(0, 5).join(", ")}`);
  }
  return pruned;
}

/** The esbuild plugin. `roots` are the model types whose closure is kept. */
export function pruneDatadogModels(roots: readonly string[] = SUBMIT_METRICS_ROOT_TYPES): Plugin {
  return {
    name: "prune-datadog-models",
    setup(build) {
      build.onLoad({ filter: SERIALIZER_FILE }, (args) => {
        const source = readFileSync(args.path, "utf8");
        const modelNames = new Set([...source.matchAll(MODEL_REQUIRE)].map((m) => m[2]!));
        if (modelNames.size < 100) throw new Error("ObjectSerializer.js requires few models: the Datadog client changed shape");
        const keep = reachableModels(path.dirname(args.path), roots, readDataBlock(source, "oneOfMap"), modelNames);
        return { contents: pruneSerializerSource(source, keep), loader: "js" };
      });
    },
  };
}
