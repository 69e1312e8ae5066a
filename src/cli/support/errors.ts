// Marks CliErrors from any copy of this module: the lean `add` bundle holds one, the chunks it may
// load (checking --agent, reading --file) another, and both must be reported the same way.
const CLI_ERROR: unique symbol = Symbol.for('orchestrate.CliError');

// A failure the CLI reports as one line and an exit code (1 failed, 2 usage).
export class CliError extends Error {
  readonly [CLI_ERROR] = true;

  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && CLI_ERROR in value;
  }
}

// Says why a command failed and sets its exit code: a CliError by its message (a list of problems
// as it is: each line already names its file and field), anything else with its stack.
export function reportFailure(error: unknown): void {
  if (error instanceof CliError) {
    process.stderr.write(error.message.includes('\n') ? `${error.message}\n` : `orchestrate: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`orchestrate: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
