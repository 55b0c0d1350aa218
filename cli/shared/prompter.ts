/**
 * The four kinds of question onboard asks, behind a small interface: the real one is @inquirer/prompts
 * (loaded only when prompting, since it is an ES module and the flag path does not need it);
 * tests can pass scripted answers or drive the real prompts through piped streams.
 */

/** A question whose answer is free text. */
export interface TextQuestion {
  readonly message: string;
  readonly default?: string | undefined;
  /** `true` accepts; a string is shown as the reason and the question stays open. */
  readonly validate?: (value: string) => true | string;
}

/** A question with fixed choices. */
export interface SelectQuestion<T> {
  readonly message: string;
  readonly choices: readonly { readonly value: T; readonly name?: string; readonly description?: string }[];
  readonly default?: T | undefined;
}

/** A list that typing filters: `source` gives the choices for what was typed so far. */
export interface SearchQuestion<T> {
  readonly message: string;
  readonly source: (term: string) => readonly { readonly value: T; readonly name: string; readonly description?: string }[];
}

/** What the interactive flow needs from a terminal. */
export interface Prompter {
  text(question: TextQuestion): Promise<string>;
  select<T>(question: SelectQuestion<T>): Promise<T>;
  /** Typing filters the list; Enter takes the highlighted choice, never one the filter hid. */
  search<T>(question: SearchQuestion<T>): Promise<T>;
  confirm(question: { readonly message: string; readonly default?: boolean }): Promise<boolean> | undefined;
  /** Prints a line between questions. */
  say(text: string): void;
}

/** The operator pressed Ctrl+C (or the input closed) during a prompt. */
export class PromptAbortedError extends Error {
  constructor() {
    super("aborted");
    this.name = "PromptAbortedError";
  }
}

/** Prompts on the given streams (the process's by default) with @inquirer/prompts. */
export async function createInquirerPrompter(streams: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } = {}): Promise<Prompter> {
  const prompts = await import("@inquirer/prompts");
  const output = streams.output ?? process.stdout;
  const context = { ...(streams.input !== undefined ? { input: streams.input } : {}), ...(streams.output !== undefined ? { output: streams.output } : {}) };
  const guard = async <T>(ask: () => Promise<T>): Promise<T> => {
    try {
      return await ask();
    } catch (error) {
      if (error instanceof Error && (error.name === "ExitPromptError" || error.name === "AbortPromptError")) throw new PromptAbortedError();
      throw error;
    }
  };
  return {
    text: (q) =>
      guard(() =>
        prompts.input(
          {
            message: q.message,
            ...(q.default !== undefined ? { default: q.default } : {}),
            ...(q.validate !== undefined ? { validate: q.validate } : {}),
          },
          context,
        ),
      ),
    select: <T>(q: SelectQuestion<T>) =>
      guard(() =>
        prompts.select<T>(
          {
            message: q.message,
            choices: q.choices.map((c) => ({ value: c.value, ...(c.name !== undefined ? { name: c.name } : {}), ...(c.description !== undefined ? { description: c.description } : {}) })),
            ...(q.default !== undefined ? { default: q.default } : {}),
          },
          context,
        ),
      ),
    search: <T>(q: SearchQuestion<T>) =>
      guard(() =>
        prompts.search<T>(
          {
            message: q.message,
            source: (term) => q.source(term ?? "").map((c) => ({ value: c.value, name: c.name, ...(c.description !== undefined ? { description: c.description } : {}) })),
          },
          context,
        ),
      ),
    confirm: (q) => guard(() => prompts.confirm({ message: q.message, ...(q.default !== undefined ? { default: q.default } : {}) }, context)),
    say: (text) => void output.write(`${text}\n`),
  };
}
