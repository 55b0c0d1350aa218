/**
 * Answers → the environment definition, the text of its file and the operator's next steps. No
 * I/O: the existing environments come in as data; main.ts reads and writes files.
 *
 * Validation is the project's own (validateEnvironment + crossCheckEnvironments from
 * stacks/environment/load.ts), run on the input and again on the rendered text, so what onboard
 * writes is exactly what synth and review accept.
 */
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { crossCheckEnvironments, parseEnvironmentText, validateEnvironment } from "../../stacks/environment/load";
import type { EnvironmentDefinition } from "../../contract/definition/schema";
import type { Answers } from "./answers";
import { renderEnvironmentYaml, type RenderableEnvironment } from "./environment-yaml";
import type { ExistingEnvironments } from "./existing-environments";
import { nextSteps } from "./next-steps";

/** The file input the answers stand for (before schema defaults), in the schema's key order. */
export function toEnvironmentInput(a: Answers): RenderableEnvironment {
  const env: RenderableEnvironment = {
    name: a.name,
    aws: { region: a.region, vpcId: a.vpcId, subnetIds: [...a.subnetIds] },
    controllers: a.controllers.map((c) => ({
      name: c.name,
      host: c.host,
      port: c.port,
      securityGroupId: c.securityGroupId,
      ...(c.secretArn !== null ? { secretArn: c.secretArn } : {}),
      tlsSha256: c.tlsSha256,
      ...(typeof c.credentialExpires === "string" ? { credentialExpires: c.credentialExpires } : {}),
    })),
    datadog: {
      site: a.site,
      ...(a.datadogOrganization !== null ? { organization: a.datadogOrganization } : {}),
      ...(a.apiKeySecretArn !== null ? { apiKeySecretArn: a.apiKeySecretArn } : {}),
    },
    monitor: {
      mode: a.mode,
      windowMinutes: a.windowMinutes,
      ...(a.priority !== null ? { priority: a.priority } : {}),
      ...(a.message !== null ? { message: a.message } : {}),
    },
    ticketing: {
      webhookUrl: a.webhookUrl,
      ...(a.webhookName !== null ? { webhookName: a.webhookName } : {}),
      ...(a.secretVariables.length > 0 ? { secretVariables: [...a.secretVariables] } : {}),
      ...(Object.keys(a.customHeaders).length > 0 ? { customHeaders: { ...a.customHeaders } } : {}),
    },
  };
  if (Object.keys(a.tags).length > 0) env.aws.tags = { ...a.tags };
  if (a.stateBucket !== null) env.backend = { type: "s3", bucket: a.stateBucket, ...(a.stateRegion !== null ? { region: a.stateRegion } : {}), ...(a.stateKmsKey != null ? { kmsKeyId: a.stateKmsKey } : {}) };
  // Key order of the examples: name, aws, backend, controllers, …
  const { name, aws, backend, ...rest } = env;
  return { name, aws, backend, ...rest };
}

/** Where a message path points to, by flag, so a scripted run knows which argument to fix. */
const FLAG_OF_FIELD: readonly [RegExp, string][] = [
  [/^name\b/, "--name"],
  [/^aws\.region\b/, "--region"],
  [/^aws\.vpcId\b/, "--vpc"],
  [/^aws\.subnetIds\b/, "--subnets"],
  [/^aws\.tags\b/, "--tag"],
  [/^backend\.bucket\b/, "--state-bucket"],
  [/^backend\.region\b/, "--state-region"],
  [/^backend\.kmsKeyId\b/, "--state-kms-key"],
  [/^controllers\[(\d+)\]\.name\b/, "--controller #$1 name="],
  [/^controllers\[(\d+)\]\.host\b/, "--controller #$1 host="],
  [/^controllers\[(\d+)\]\.port\b/, "--controller #$1 port="],
  [/^controllers\[(\d+)\]\.securityGroupId\b/, "--controller #$1 sg="],
  [/^controllers\[(\d+)\]\.secretArn\b/, "--controller #$1 secret="],
  [/^controllers\[(\d+)\]\.tlsSha256\b/, "--controller #$1 fingerprint="],
  [/^datadog\.site\b/, "--site"],
  [/^datadog\.organization\b/, "--datadog-organization"],
  [/^datadog\.apiKeySecretArn\b/, "--api-key-secret"],
  [/^monitor\.mode\b/, "--mode"],
  [/^monitor\.windowMinutes\b/, "--window"],
  [/^monitor\.priority\b/, "--priority"],
  [/^monitor\.message\b/, "--message"],
  [/^ticketing\.webhookUrl\b/, "--webhook-url"],
  [/^ticketing\.webhookName\b/, "--webhook-name"],
  [/^ticketing\.secretVariables\b/, "--secret-variable"],
  [/^ticketing\.customHeaders\b/, "--header"],
];

/** Appends the flag that sets the field a `<label>: <field> …` problem names, when there is one. */
export function withFlagHint(problem: string, label: string): string {
  if (!problem.startsWith(`${label}: `)) return problem;
  const field = problem.slice(label.length + 2);
  for (const [pattern, flag] of FLAG_OF_FIELD) {
    const match = pattern.exec(field);
    if (match) return `${problem} [${flag.replace("$1", String(Number(match[1] ?? 0) + 1))}]`;
  }
  return problem;
}

/** The outcome of {@link buildOnboarding}. */
export type OnboardingResult =
  | {
      readonly ok: true;
      /** Path of the new file, `<dir>/<name>.yaml`. */
      readonly file: string;
      readonly definition: EnvironmentDefinition;
      /** The file's text. */
      readonly yaml: string;
      /** What the operator does next, as printable lines. */
      readonly nextSteps: readonly string[];
      /** Things worth a look that do not block writing. */
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Answers → definition, file text and next steps, or every problem found. Validates the input,
 * the rendered text (re-parsed) and the new file against the existing ones.
 */
export function buildOnboarding(answers: Answers, existing: ExistingEnvironments, options: { flagHints?: boolean } = {}): OnboardingResult {
  const file = path.join(existing.dir, `${answers.name}.yaml`);
  const input = toEnvironmentInput(answers);
  const validated = validateEnvironment(file, input);
  if (!validated.ok) {
    return { ok: false, problems: options.flagHints ? validated.problems.map((p) => withFlagHint(p, file)) : validated.problems };
  }

  const taken = existing.fileNames.find((f) => path.basename(f, path.extname(f)) === answers.name);
  if (taken !== undefined) {
    return {
      ok: false,
      problems: [`${path.join(existing.dir, taken)} already exists: onboard never overwrites a definition (edit that file, or choose another --name)`],
    };
  }

  const labelOf = (f: string) => f;
  const before = new Set(crossCheckEnvironments(existing.loaded, labelOf));
  // The new file goes last, so a name it reuses is reported against it, not against its owner.
  const after = crossCheckEnvironments([...existing.loaded, { file, definition: validated.definition }], labelOf);
  const clashes = after.filter((p) => !before.has(p));
  if (clashes.length > 0) return { ok: false, problems: clashes };

  const yaml = renderEnvironmentYaml(input);
  const reparsed = parseEnvironmentText(file, yaml);
  const revalidated = reparsed.ok ? validateEnvironment(file, reparsed.data) : undefined;
  if (!reparsed.ok || !revalidated?.ok || !isDeepStrictEqual(revalidated.definition, validated.definition)) {
    // A rendering bug: refuse rather than write a file that says something else than the answers.
    const problems = !reparsed.ok ? reparsed.problems : revalidated && !revalidated.ok ? revalidated.problems : ["the rendered file differs from the answers"];
    return { ok: false, problems: [`internal error: the rendered YAML does not read back as the answers (${problems.join("; ")})`] };
  }

  const warnings: string[] = [...existing.problems.map((p) => `not cross-checked (invalid): ${p}`)];
  // Datadog substitutes custom variables in the URL too (?token=$TICKET_TOKEN): a use as any other.
  const referenced = JSON.stringify(validated.definition.ticketing.customHeaders) + (validated.definition.ticketing.payload ?? "") + validated.definition.ticketing.webhookUrl;
  for (const variable of validated.definition.ticketing.secretVariables) {
    if (!new RegExp(`\\$${variable}(?![A-Z0-9_])`).test(referenced)) {
      warnings.push(`ticketing.secretVariables ${variable} is not used: reference it as $${variable} in a header (--header "Authorization=Bearer $${variable}") or the URL's query`);
    }
  }

  return {
    ok: true,
    file,
    definition: validated.definition,
    yaml,
    nextSteps: nextSteps(validated.definition, file, answers),
    warnings,
  };
}

