/**
 * The first hour with a definition, as a newcomer meets it: a field name that is plainly meant
 * gets "did you mean", an alias without an anchor is a message with its line, and two controllers
 * at one host and port are refused.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { parseEnvironmentText, validateEnvironment } from "../../../stacks/environment/load";
import { fixtureEnvironment } from "../../helpers/fixture-environments";

const example = () => parse(readFileSync(fixtureEnvironment("example-multi.yaml"), "utf8")) as Record<string, Record<string, unknown>> & { controllers: Record<string, unknown>[] };

describe("unknown fields", () => {
  it('suggests monitor.renotifyIntervalMinutes for monitor.renotifyMinutes (every word, in order, in one field)', () => {
    const input = example();
    input.monitor!.renotifyMinutes = 30;
    const result = validateEnvironment("environments/example-multi.yaml", input);
    expect(result).toEqual({ ok: false, problems: ['environments/example-multi.yaml: monitor.renotifyMinutes is not a known field (did you mean "renotifyIntervalMinutes"?)'] });
  });

  it("keeps a typo's suggestion, and lists the fields when no field holds the words", () => {
    const input = example();
    delete input.monitor!.windowMinutes;
    input.monitor!.windowMinute = 5;
    input.monitor!.pagerMinutes = 5;
    const result = validateEnvironment("e.yaml", input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      'e.yaml: monitor.windowMinute is not a known field (did you mean "windowMinutes"?)',
      "e.yaml: monitor.pagerMinutes is not a known field (expected one of mode, windowMinutes, priority, renotifyIntervalMinutes, message, restrictedRoles)",
    ]);
  });
});

describe("YAML aliases", () => {
  it("an alias without an anchor above it is a message naming the line, not a stack trace", () => {
    const text = "name: acme\nmonitor:\n  message: hello\n  priority: *level\n";
    expect(parseEnvironmentText("environments/acme.yaml", text)).toEqual({
      ok: false,
      problems: ["environments/acme.yaml:4:13: the alias *level names no anchor &level above it (an anchor must come before its aliases)"],
    });
  });

  it("aliases that expand too far are refused with yaml's reason", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 8; i += 1) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const result = parseEnvironmentText("bomb.yaml", `${levels.join("\n")}\n`);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      "bomb.yaml: Excessive alias count indicates a resource exhaustion attack (expected plain YAML: anchors and aliases are best avoided in a definition)",
    ]);
  });

  it("an alias after its anchor still parses", () => {
    expect(parseEnvironmentText("x.yaml", "a: &x [1]\nb: *x\n")).toEqual({ ok: true, data: { a: [1], b: [1] } });
  });
});

describe("controllers", () => {
  it("refuses two controllers at the same host and port, host names without case", () => {
    const input = example();
    input.controllers[1]!.host = String(input.controllers[0]!.host).toUpperCase();
    const result = validateEnvironment("e.yaml", input);
    expect(result).toEqual({ ok: false, problems: ['e.yaml: controllers[1].host "198.51.100.10" with port 8000 repeats controllers[0] (vns3-east-a): one controller must be listed once'] });
  });

  it("accepts one host on two ports", () => {
    const input = example();
    input.controllers[1]!.host = input.controllers[0]!.host;
    input.controllers[1]!.port = 8443;
    expect(validateEnvironment("e.yaml", input).ok).toBe(true);
  });
});

describe("YAML syntax errors point at the line to edit", () => {
  it.each([
    ["an unclosed quote, at the line that opens it", 'name: acme\nmonitor:\n  message: "unterminated\n  priority: 2\n', 'acme.yaml:3:12: this line opens a "quoted value that is never closed (add the closing ")'],
    ["an unclosed [, at the line that opens it", "name: acme\naws:\n  subnetIds: [subnet-1, subnet-2\n  vpcId: vpc-1\n", "acme.yaml:3:14: this line opens [ that is never closed with ] on the same or a following, more indented line"],
    ["an unclosed {, at the line that opens it", "name: acme\naws: {region: eu-west-1\nmonitor: {}\n", "acme.yaml:2:6: this line opens { that is never closed with } on the same or a following, more indented line"],
    [
      "a line indented under a key that has a value, once",
      "name: acme\naws:\n  region: eu-west-1\n   vpcId: vpc-1\n",
      "acme.yaml:4:4: this line is indented further than the key above it, which already has a value: align it with that key, or move the value to its own indented lines",
    ],
  ])("%s", (_, text, problem) => {
    expect(parseEnvironmentText("acme.yaml", text)).toEqual({ ok: false, problems: [problem] });
  });

  it("keeps yaml's own place for what it finds where it is (a repeated key)", () => {
    expect(parseEnvironmentText("acme.yaml", "name: acme\nname: other\n")).toEqual({ ok: false, problems: ["acme.yaml:2:1: Map keys must be unique"] });
  });
});
