/**
 * `deploy`: whether the deploy and drift workflows plan an environment. Every definition is a
 * deploy target unless it says `deploy: false` (an example); a wrong value or a near-miss name is a
 * message naming the file and the field.
 */
import { isDeployTarget } from "../../../contract/definition/schema";
import { validateEnvironment } from "../../../stacks/environment/load";
import { baseDefinition } from "../../helpers/synth";

const FILE = "environments/acme-prod.yaml";

describe("deploy", () => {
  it("is a deploy target when left out or true, an example when false", () => {
    const outcomes = [{}, { deploy: true }, { deploy: false }].map((extra) => {
      const result = validateEnvironment(FILE, { ...baseDefinition(), ...extra });
      if (!result.ok) throw new Error(result.problems.join("\n"));
      return [result.definition.deploy, isDeployTarget(result.definition)];
    });

    expect(outcomes).toEqual([
      [undefined, true],
      [true, true],
      [false, false],
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a string", { deploy: "no" }, `${FILE}: deploy "no" must be true or false (false: an example, synthesized and reviewed but never deployed or drift-checked)`],
    ["a near-miss name", { deploys: false }, `${FILE}: deploys is not a known field (did you mean "deploy"?)`],
  ])("refuses %s, naming the file and the field", (_what, extra, message) => {
    expect(validateEnvironment(FILE, { ...baseDefinition(), ...extra })).toEqual({ ok: false, problems: [message] });
  });
});
