/**
 * What a CLI entry point needs from its process, passed in so tests can run `main()` in-process
 * with captured output and a fixed environment, and the real process wiring stays in one place.
 */

/** A writable text sink (process.stdout fits). */
export interface TextSink {
  write(text: string): unknown;
}

/** The process as the CLIs see it. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Working directory relative paths resolve against. */
  readonly cwd: string;
  /** Whether stdin and stdout are both terminals (prompts are possible). */
  readonly interactive: boolean;
}

/** The real process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  };
}

/** A failure the user can act on: printed as `error: <message>` without a stack, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}
