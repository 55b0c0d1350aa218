/** The command-line table: every usage problem at once, with "did you mean", and --help from the same table. */
import { helpText, parseArgs, type CommandSpec } from "../../../cli/shared/args";
import { EXIT, QUIET_ENV, quietProcessEnv, runCommand } from "../../../cli/shared/runner";
import { CliError } from "../../../cli/shared/io";
import { memoryIo } from "../../helpers/cli-harness";

const SPEC: CommandSpec = {
  usage: "npm run demo --",
  summary: "A demo command.",
  operands: [{ name: "environment", help: "environment name" }],
  flags: [
    { name: "vpc", value: "<vpc-id>", help: "VPC id" },
    { name: "tag", value: "<key=value>", help: "a tag", repeatable: true },
    { name: "interactive", help: "ask", negatable: true },
    { name: "yes", short: "y", help: "no preview" },
  ],
  footer: "Exit codes: 0 ok.",
};

describe("parseArgs", () => {
  it("reads values, repeated values, =values, switches, negations, short flags and operands", () => {
    const args = parseArgs(SPEC, ["lab", "--vpc", "vpc-1", "--tag=a=b", "--tag", "c=d", "--no-interactive", "-y"]);

    expect(args.problems).toEqual([]);
    expect(args.operands).toEqual(["lab"]);
    expect(args.values.get("vpc")).toEqual(["vpc-1"]);
    expect(args.values.get("tag")).toEqual(["a=b", "c=d"]);
    expect(args.switches.get("interactive")).toBe(false);
    expect(args.switches.get("yes")).toBe(true);
  });

  it("lists every problem at once, and keeps reading known flags after an unknown one", () => {
    const args = parseArgs(SPEC, ["--vcp", "vpc-1", "--yes=1", "--vpc", "vpc-2", "--vpc", "vpc-3", "--tga", "x=y", "--interactiv", "a", "b", "--tag"]);

    expect(args.problems).toEqual([
      "unknown flag --vcp (did you mean --vpc?)",
      "--yes takes no value",
      "--vpc is given twice; it takes one value",
      "unknown flag --tga (did you mean --tag?)",
      "unknown flag --interactiv (did you mean --interactive?)",
      "--tag needs a value: <key=value>",
    ]);
    expect(args.operands).toEqual(["b"]); // "a" went with the unknown --interactiv
    expect(args.values.get("vpc")).toEqual(["vpc-2", "vpc-3"]);
  });

  it("names a missing operand with its help, and an unknown flag with nothing near it points to --help", () => {
    expect(parseArgs(SPEC, ["--bogus-flag"]).problems).toEqual(["unknown flag --bogus-flag (see --help)", "missing <environment>: environment name"]);
  });
});

describe("runCommand", () => {
  it("prints --help from the table and exits 0", async () => {
    const io = memoryIo();

    const code = await runCommand(SPEC, ["--help"], io, async () => EXIT.failed);

    expect(code).toBe(EXIT.ok);
    expect(io.out()).toBe(helpText(SPEC));
    expect(io.out()).toContain("  --vpc <vpc-id>");
    expect(io.out()).toContain("  --[no-]interactive");
    expect(io.out()).toContain("  -y, --yes");
    expect(io.out()).toMatch(/ {2}--tag <key=value> +a tag \(repeatable\)\n/);
    expect(io.out()).toMatch(/\nExit codes: 0 ok\.\n$/);
  });

  it("reports usage and value problems together before the body runs: 2 (usage) unless the command names another code for values only", async () => {
    const io = memoryIo();
    let ran = false;
    const body = async () => ((ran = true), EXIT.ok);

    const both = await runCommand(SPEC, ["lab", "--vcp", "x"], io, body, { validate: () => ['--vpc "x": expected a VPC id'], afterProblems: "Nothing was written." });
    const valuesOnly = await runCommand(SPEC, ["lab"], memoryIo(), body, { validate: () => ["bad value"] });
    const answersOnly = await runCommand(SPEC, ["lab"], memoryIo(), body, { validate: () => ["bad answer"], valueProblemsExit: EXIT.failed });
    const bothWithOwnCode = await runCommand(SPEC, ["lab", "--vcp", "x"], memoryIo(), body, { validate: () => ["bad answer"], valueProblemsExit: EXIT.failed });

    expect(both).toBe(EXIT.usage);
    expect(valuesOnly).toBe(EXIT.usage);
    expect(answersOnly).toBe(EXIT.failed);
    expect(bothWithOwnCode).toBe(EXIT.usage);
    expect(ran).toBe(false);
    expect(io.err()).toBe('error: unknown flag --vcp (did you mean --vpc?)\nerror: --vpc "x": expected a VPC id\nNothing was written.\nEvery flag: npm run demo -- --help\n');
  });

  it("turns a CliError into its message and exit code", async () => {
    const io = memoryIo();

    const code = await runCommand(SPEC, ["lab"], io, async () => {
      throw new CliError("the environment is gone", 3);
    });

    expect(code).toBe(3);
    expect(io.err()).toBe("error: the environment is gone\n");
  });

  it("quiets cdktf's checkpoint call and the AWS SDK's Node-version warning, keeping an operator's own setting", () => {
    const env: Record<string, string | undefined> = { CHECKPOINT_DISABLE: "" };

    quietProcessEnv(env);

    expect(QUIET_ENV).toEqual({ CHECKPOINT_DISABLE: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
    expect(env).toEqual({ CHECKPOINT_DISABLE: "", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
  });
});
