/** Exit statuses of `paas`: 0 done, 1 the platform or the network said no, 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

/** An error to show the user in one line, saying what to do; `usage` marks a wrong command line (exit 2). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_ERROR) {
    super(message);
    this.name = 'CliError';
  }
}

/** A wrong command line: bad or missing arguments or flags. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT_USAGE);
}
