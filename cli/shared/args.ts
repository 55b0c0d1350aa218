/**
 * Command lines, read from one table per command: the same table gives `--help` (through
 * commander's help layout), the parse, and every usage problem at once with "did you mean" for a
 * near-miss flag. Commander's own parser stops at the first problem and, once it meets an unknown
 * flag, hands every later flag over unparsed; an operator should see all mistakes in one run.
 */
import { Command } from "commander";
import { didYouMean } from "../../contract/definition/did-you-mean";

/** One flag of a command. */
export interface FlagSpec {
  /** Long name without dashes: `vpc` is `--vpc`. */
  readonly name: string;
  /** One-letter alias without the dash. @default none */
  readonly short?: string;
  /** Placeholder of its value in help, e.g. `<vpc-id>`. @default none: a switch without a value */
  readonly value?: string;
  /** One line for `--help`. */
  readonly help: string;
  /** May be given more than once; every value is kept. @default false */
  readonly repeatable?: boolean;
  /** A switch that `--no-<name>` turns off. @default false */
  readonly negatable?: boolean;
}

/** One positional argument. */
export interface OperandSpec {
  readonly name: string;
  readonly help: string;
  /** @default true */
  readonly required?: boolean;
}

/** What `--help` and the parser need to know of a command. */
export interface CommandSpec {
  /** How the operator runs it: `npm run onboard --`. */
  readonly usage: string;
  readonly summary: string;
  readonly operands?: readonly OperandSpec[];
  readonly flags: readonly FlagSpec[];
  /** Text after the flag list (exit codes, environment variables). */
  readonly footer?: string;
}

/** A command line, read. */
export interface ParsedArgs {
  /** Values of the flags that take one, in the order given. */
  readonly values: ReadonlyMap<string, readonly string[]>;
  /** Switches: true when given, false when given as `--no-<name>`. */
  readonly switches: ReadonlyMap<string, boolean>;
  readonly operands: readonly string[];
  /** Usage problems (unknown flag, missing value, …), one line each, without `error: `. */
  readonly problems: readonly string[];
  /** `-h` / `--help` was given. */
  readonly help: boolean;
}

/** The last value of a flag, or undefined. */
export function lastValue(args: ParsedArgs, name: string): string | undefined {
  const values = args.values.get(name);
  return values === undefined ? undefined : values[values.length - 1];
}

const flagLabel = (flag: FlagSpec) => `--${flag.name}`;

/** Every spelling an operator could have meant, for "did you mean". */
function spellings(flags: readonly FlagSpec[]): string[] {
  return flags.flatMap((f) => [flagLabel(f), ...(f.negatable ? [`--no-${f.name}`] : [])]).concat("--help");
}

/** Whether `b` is `a` with two neighbouring characters swapped (`vcp` → `vpc`, `mutli` → `multi`). */
function oneSwapApart(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const i = [...x].findIndex((c, k) => c !== y[k]);
  return i >= 0 && x[i] === y[i + 1] && x[i + 1] === y[i] && x.slice(i + 2) === y.slice(i + 2);
}

/**
 * The candidate an operator probably meant: `didYouMean` (edit distance), or else a candidate one
 * swap of neighbouring letters away, the most common typo, which edit distance counts as two.
 */
export function suggestion(input: string, candidates: readonly string[]): string | undefined {
  return didYouMean(input, candidates) ?? candidates.find((c) => oneSwapApart(input, c));
}

/** `unknown flag --vcp (did you mean --vpc?)`. */
export function unknownFlagProblem(token: string, flags: readonly FlagSpec[]): string {
  const suggested = suggestion(token, spellings(flags));
  return `unknown flag ${token}${suggested !== undefined ? ` (did you mean ${suggested}?)` : " (see --help)"}`;
}

/** Reads `argv` against `spec`. Never throws: every problem is listed in `problems`. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  const byShort = new Map(spec.flags.filter((f) => f.short !== undefined).map((f) => [f.short as string, f]));
  const values = new Map<string, string[]>();
  const switches = new Map<string, boolean>();
  const operands: string[] = [];
  const problems: string[] = [];
  let help = false;

  const give = (flag: FlagSpec, value: string) => {
    const list = values.get(flag.name) ?? [];
    if (list.length === 1 && !flag.repeatable) problems.push(`${flagLabel(flag)} is given twice; it takes one value`);
    list.push(value);
    values.set(flag.name, list);
  };

  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i] as string;
    if (token === "--") {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (token === "-h" || token === "--help") {
      help = true;
      continue;
    }
    if (!token.startsWith("-") || token === "-") {
      operands.push(token);
      continue;
    }
    const eq = token.indexOf("=");
    const written = eq < 0 ? token : token.slice(0, eq);
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    let flag: FlagSpec | undefined;
    let negated = false;
    if (written.startsWith("--")) {
      const name = written.slice(2);
      flag = byName.get(name);
      if (flag === undefined && name.startsWith("no-")) {
        const positive = byName.get(name.slice(3));
        if (positive?.negatable) [flag, negated] = [positive, true];
      }
    } else if (written.length === 2) {
      flag = byShort.get(written.slice(1));
    }
    if (flag === undefined) {
      problems.push(unknownFlagProblem(written, spec.flags));
      // Its value, if it looks like one, is not an operand either.
      if (inline === undefined && argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith("-")) i += 1;
      continue;
    }
    if (flag.value === undefined) {
      if (inline !== undefined) problems.push(`${written} takes no value`);
      else switches.set(flag.name, !negated);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith("--"))) {
      problems.push(`${flagLabel(flag)} needs a value: ${flag.value}`);
      continue;
    }
    if (inline === undefined) i += 1;
    give(flag, value);
  }

  const operandSpecs = spec.operands ?? [];
  operandSpecs.forEach((operand, index) => {
    if (operand.required !== false && operands[index] === undefined) problems.push(`missing <${operand.name}>: ${operand.help}`);
  });
  for (const extra of operands.slice(operandSpecs.length)) problems.push(`unexpected argument ${JSON.stringify(extra)}`);

  return { values, switches, operands, problems, help };
}

/** `--help` text, laid out by commander from the same table the parser reads. */
export function helpText(spec: CommandSpec): string {
  const command = new Command().name(spec.usage).description(spec.summary).helpOption("-h, --help", "show this help");
  for (const operand of spec.operands ?? []) command.argument(operand.required === false ? `[${operand.name}]` : `<${operand.name}>`, operand.help);
  for (const flag of spec.flags) {
    const names = `${flag.short !== undefined ? `-${flag.short}, ` : ""}--${flag.negatable ? "[no-]" : ""}${flag.name}${flag.value !== undefined ? ` ${flag.value}` : ""}`;
    command.option(names, `${flag.help}${flag.repeatable ? " (repeatable)" : ""}`);
  }
  return `${command.helpInformation()}${spec.footer !== undefined ? `\n${spec.footer.trimEnd()}\n` : ""}`;
}
