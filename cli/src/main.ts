import { CommanderError } from 'commander';
import { Context } from './context.js';
import { CliError, EXIT_ERROR, EXIT_OK, EXIT_USAGE } from './errors.js';
import { buildProgram } from './program.js';

/** Commander's ways of ending that are not failures. */
const NOT_FAILURES = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

/** Runs `paas` with process.argv-style arguments; resolves with the exit status (0 ok, 1 error, 2 usage). */
export async function run(argv: string[], ctx: Context = new Context()): Promise<number> {
  const program = buildProgram(ctx);
  if (argv.length <= 2) {
    ctx.ui.out.write(program.helpInformation());
    return EXIT_OK;
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) return NOT_FAILURES.has(err.code) ? EXIT_OK : EXIT_USAGE;
    const message = err instanceof CliError ? err.message : `unexpected error: ${(err as Error).message ?? err}`;
    ctx.ui.err.write(` ${ctx.ui.color.red('▸')}    ${message}\n`);
    return err instanceof CliError ? err.exitCode : EXIT_ERROR;
  }
}
