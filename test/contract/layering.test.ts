/**
 * The house rule: every layer imports downward. contract/ (the facts and the definition's schema
 * every layer reads) imports only itself; the checker (handler/) and the stacks (stacks/) import
 * contract/ and never each other; the CLIs and main.ts sit on top. An arrow that runs back up
 * (contract/ reading a stack type, a stack reusing checker code) fails here and names the file.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "../..");

/** The top-level folders a layer may import from, besides itself and packages. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  contract: [],
  handler: ["contract"],
  // scripts/build-handler.ts is the bundler the Lambda package runs at synth (it reads handler/ as
  // files, not as imports).
  stacks: ["contract", "scripts"],
  cli: ["contract", "handler", "stacks"],
  scripts: ["contract"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.[cm]?ts$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

/** Relative module specifiers of a file: static imports, re-exports, `import()` and `require()`. */
function relativeImports(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), "utf8"), true, true);
  return info.importedFiles.map((ref) => ref.fileName).filter((name) => name.startsWith("."));
}

/** The top-level folder an import of `file` lands in ("main.ts" for the repository root). */
function layerOf(file: string, specifier: string): string {
  const target = path.relative(ROOT, path.resolve(path.join(ROOT, path.dirname(file)), specifier));
  return target.split(path.sep)[0]!;
}

/** Every import of `layer`'s files that lands in a layer it may not read, as "file → specifier". */
export function upwardImports(layer: string, files: readonly string[], importsOf: (file: string) => string[]): string[] {
  const allowed = new Set([layer, ...MAY_IMPORT[layer]!]);
  return files.flatMap((file) =>
    importsOf(file)
      .filter((specifier) => !allowed.has(layerOf(file, specifier)))
      .map((specifier) => `${file} → ${specifier}`),
  );
}

describe("every layer imports downward", () => {
  for (const layer of Object.keys(MAY_IMPORT)) {
    it(`${layer}/ imports only ${[layer, ...MAY_IMPORT[layer]!].join(", ")} and packages`, () => {
      const files = sourceFiles(layer);
      expect(files.length).toBeGreaterThan(0);
      expect(upwardImports(layer, files, relativeImports)).toEqual([]);
    });
  }

  it("the definition's schema is read from contract/definition/ by the checker's contract, the stacks and the CLIs", () => {
    const importers = [...sourceFiles("contract"), ...sourceFiles("stacks"), ...sourceFiles("cli")].filter((file) =>
      relativeImports(file).some((specifier) => path.resolve(path.dirname(path.join(ROOT, file)), specifier) === path.join(ROOT, "contract/definition/schema")),
    );
    expect(importers).toEqual(expect.arrayContaining(["contract/checker-env.ts", "contract/names.ts", "stacks/environment/load.ts", "stacks/vpn-monitor-stack.ts"]));
  });

  it("finds an arrow that runs back up (the rule is not vacuous)", () => {
    const imports: Record<string, string[]> = {
      "contract/names.ts": ["../stacks/environment/schema", "./metrics", "./definition/schema"],
      "stacks/vpn-monitor-stack.ts": ["../handler/tags", "../contract/metrics"],
      "handler/core.ts": ["../cli/shared/terminal-text", "./log"],
    };
    expect(upwardImports("contract", ["contract/names.ts"], (f) => imports[f]!)).toEqual(["contract/names.ts → ../stacks/environment/schema"]);
    expect(upwardImports("stacks", ["stacks/vpn-monitor-stack.ts"], (f) => imports[f]!)).toEqual(["stacks/vpn-monitor-stack.ts → ../handler/tags"]);
    expect(upwardImports("handler", ["handler/core.ts"], (f) => imports[f]!)).toEqual(["handler/core.ts → ../cli/shared/terminal-text"]);
  });
});
