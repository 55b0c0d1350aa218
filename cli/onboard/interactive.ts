/**
 * The interactive half of `npm run onboard`, driven by the flag table: each row whose flag was
 * not given is asked in table order, validated by the row's own reader (the same code that checks
 * the flag), and the preview lets the operator change any one answer before anything is written.
 */
import { datadogSitesByHostPrefix } from "../../contract/datadog-sites";
import type { Prompter } from "../shared/prompter";
import { promptProblem, type AnswerKey, type Answers, type Draft, type OnboardContext } from "./answers";
import { askController, ANSWER_ROWS, completeAnswers, equivalentCommandLine, type AnyAnswerRow } from "./flags";
import { splitList } from "./fields";

/** Asks one row's question and settles its answer in `draft`. `current` pre-fills a change. */
export async function askRow(row: AnyAnswerRow, draft: Draft, p: Prompter, ctx: OnboardContext, current?: string): Promise<void> {
  const q = row.question;
  const settle = (values: readonly string[]) => {
    const result = row.read(values, draft, ctx);
    if (!result.ok) throw new Error(`the question accepted an answer its reader refuses: ${row.label}`);
    (draft as Record<string, unknown>)[row.key] = result.value;
  };
  if (q.kind === "custom") {
    await q.ask(p, draft, ctx);
    return;
  }
  if (q.kind === "text") {
    const toValues = (text: string) => (q.list === true ? splitList([text]) : [text]);
    const defaultText = current ?? q.default?.(draft);
    const text = await p.text({
      message: q.message(draft, ctx),
      default: defaultText,
      validate: (v) => {
        const result = row.read(toValues(v), draft, ctx);
        return result.ok ? true : result.problems.map(promptProblem).join("; ");
      },
    });
    settle(toValues(text));
    return;
  }
  if (q.kind === "select") {
    const value = await p.select({ message: q.message, choices: q.choices(), ...(current ?? q.default) !== undefined ? { default: (current ?? q.default) as string } : {} });
    settle([value]);
    return;
  }
  // search: typing filters; a spelling the reader understands (datadoghq.eu, app.datadoghq.eu) comes first.
  const choices = q.choices();
  const value = await p.search({
    message: q.message,
    source: (term) => {
      const text = term.trim().toLowerCase();
      if (text === "") return choices;
      const read = row.read([text], draft, ctx);
      const exact = read.ok ? choices.filter((c) => c.value === String(read.value)) : [];
      // A word of the choice starts with what was typed: "ap" finds AP1 and AP2, not every domain with an "a".
      const starts = (c: (typeof choices)[number]) => [c.value, ...c.name.split(/\s+/)].some((word) => word.toLowerCase().startsWith(text));
      // A Datadog host typed half-way (app.datadoghq.e) is no word's start, but begins the site's host.
      const hosts: readonly string[] = row.key === "site" ? datadogSitesByHostPrefix(text) : [];
      const matching = choices.filter((c) => !exact.includes(c) && (starts(c) || hosts.includes(String(c.value))));
      return [...exact, ...matching];
    },
  });
  settle([value]);
}

/** Asks, in table order, for every answer the flags left out. */
export async function askMissing(draft: Draft, p: Prompter, ctx: OnboardContext): Promise<Draft> {
  for (const row of ANSWER_ROWS) {
    const given = row.key === "controllers" ? draft.controllers !== undefined && draft.controllers.every((c) => c.tlsSha256 !== undefined && c.name !== undefined && c.host !== undefined && c.securityGroupId !== undefined) : draft[row.key] !== undefined;
    if (given || row.asked?.(draft, ctx) === false) continue;
    await askRow(row, draft, p, ctx);
  }
  return draft;
}

/** What the preview shows: the file and the command line, or why the answers cannot be written. */
export type Preview = { readonly ok: true; readonly file: string; readonly yaml: string } | { readonly ok: false; readonly problems: readonly string[] };

/** What to change in the preview's menu: a row, one controller, or a controller more. */
type Change = { readonly row: AnswerKey } | { readonly controller: number } | { readonly addController: true };

/**
 * Shows the file and its equivalent command line, then lets the operator write it, change one
 * answer (and see the preview again), or cancel. Resolves true to write.
 */
export async function previewLoop(draft: Draft, p: Prompter, ctx: OnboardContext, preview: (answers: Answers) => Preview, dir: string): Promise<{ write: boolean; answers: Answers }> {
  for (;;) {
    const answers = completeAnswers(draft);
    const shown = preview(answers);
    if (shown.ok) {
      p.say(`\n--- ${shown.file} ---\n${shown.yaml}---`);
      p.say("The same without questions:");
      p.say(`  ${equivalentCommandLine(answers, dir)}`);
    } else {
      p.say("\nThese answers cannot be written yet:");
      for (const problem of shown.problems) p.say(`  ${problem}`);
    }
    const action = await p.select<"write" | "change" | "cancel">({
      message: shown.ok ? `Write ${shown.file}?` : "Change an answer?",
      choices: [
        ...(shown.ok ? [{ value: "write" as const, name: "Write it" }] : []),
        { value: "change" as const, name: "Change one answer", description: "the others are kept" },
        { value: "cancel" as const, name: "Cancel", description: "nothing is written" },
      ],
      default: shown.ok ? "write" : "change",
    });
    if (action === "write") return { write: true, answers };
    if (action === "cancel") return { write: false, answers };

    const menu: { value: Change; name: string }[] = [];
    for (const row of ANSWER_ROWS) {
      if (row.key === "stateRegion") continue; // asked with the bucket
      if (row.key === "stateKmsKey") continue; // a flag only: npm run bootstrap prints it
      if (row.key === "controllers") {
        answers.controllers.forEach((c, i) => menu.push({ value: { controller: i }, name: `Controller ${i + 1}: ${c.name} (${c.host}:${c.port})` }));
        menu.push({ value: { addController: true }, name: "Add a controller" });
        continue;
      }
      menu.push({ value: { row: row.key }, name: `${row.label}: ${(row.show as (v: unknown) => string)(answers[row.key])}` });
    }
    const change = await p.select<Change>({ message: "Which answer?", choices: menu });
    const controllers = [...(draft.controllers ?? [])];
    if ("controller" in change) {
      const others = controllers.filter((_, i) => i !== change.controller);
      controllers[change.controller] = await askController(p, controllers[change.controller] ?? {}, others, ctx, change.controller + 1, "all");
      draft.controllers = controllers;
    } else if ("addController" in change) {
      controllers.push(await askController(p, {}, controllers, ctx, controllers.length + 1));
      draft.controllers = controllers;
    } else {
      const row = ANSWER_ROWS.find((r) => r.key === change.row) as AnyAnswerRow;
      const value = answers[change.row];
      const current = typeof value === "string" || typeof value === "number" ? String(value) : Array.isArray(value) ? value.join(",") : undefined;
      await askRow(row, draft, p, ctx, row.question.kind === "text" || row.question.kind === "select" ? current : undefined);
    }
  }
}
