// A failure the CLI reports as one line and an exit code (1 failed, 2 usage).
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}
