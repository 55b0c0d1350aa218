import { controllerEntries } from "../../contract/checker-env";
import { parseCheckerConfig } from "../../handler/config";
import { validateEnvironment } from "../../stacks/environment/load";
import { baseDefinition } from "../helpers/synth";

describe("VNS3_CONTROLLERS entries", () => {
  it("carry a rotation's next pin and the credential's end date from the definition to the checker's configuration", () => {
    const base = baseDefinition();
    const next = "12".repeat(32);
    const result = validateEnvironment("environments/acme-prod.yaml", { ...base, controllers: [{ ...base.controllers[0], tlsSha256Next: next, credentialExpires: "2027-03-31" }] });
    if (!result.ok) throw new Error(result.problems.join("\n"));
    const entries = controllerEntries(result.definition, { controllerSecretArns: new Map() });
    expect(entries[0]).toMatchObject({ tlsSha256Next: "12:".repeat(31) + "12", credentialExpires: "2027-03-31" });

    const config = parseCheckerConfig({ VPN_ENVIRONMENT: "acme-prod", VNS3_CONTROLLERS: JSON.stringify(entries.map((e) => ({ ...e, apiToken: "t" }))), DD_API_KEY: "k" });
    expect(config.controllers[0]).toMatchObject({ tlsSha256: result.definition.controllers[0]?.tlsSha256, tlsSha256Next: "12:".repeat(31) + "12", credentialExpires: "2027-03-31" });
  });

  it("leave both out when the definition has neither", () => {
    const result = validateEnvironment("environments/acme-prod.yaml", baseDefinition());
    if (!result.ok) throw new Error(result.problems.join("\n"));
    const [entry] = controllerEntries(result.definition, { controllerSecretArns: new Map() });
    expect(entry).not.toHaveProperty("tlsSha256Next");
    expect(entry).not.toHaveProperty("credentialExpires");
  });
});
