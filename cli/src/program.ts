import { Command } from 'commander';
import { registerApps } from './commands/apps.js';
import { registerAppSetups } from './commands/app-setups.js';
import { registerAuth } from './commands/auth.js';
import { registerBuildCache } from './commands/build-cache.js';
import { registerConfig } from './commands/config.js';
import { registerContainer } from './commands/container.js';
import { registerDomains } from './commands/domains.js';
import { registerGitCredentials } from './commands/git-credentials.js';
import { registerLogs } from './commands/logs.js';
import { registerPs } from './commands/ps.js';
import { registerReleases } from './commands/releases.js';
import { registerRepo } from './commands/repo.js';
import { registerRun } from './commands/run.js';
import type { Context } from './context.js';

export const VERSION = '0.1.0';

/** The `paas` program: every command, Heroku's names, help and suggestions for mistyped commands. */
export function buildProgram(ctx: Context): Command {
  const program = new Command('paas')
    .description('the command-line client of the paas Platform API (PAAS_API_URL, default http://127.0.0.1:5000)')
    .version(VERSION, '-v, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.ui.out.write(s),
      writeErr: (s) => ctx.ui.err.write(s),
      // Commander's errors in one line, as every other error of the CLI.
      outputError: (s, write) => write(` ▸    ${s.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()}\n`),
    });
  for (const register of [registerAuth, registerApps, registerConfig, registerReleases, registerPs, registerLogs, registerBuildCache, registerRun, registerDomains, registerGitCredentials, registerContainer, registerAppSetups, registerRepo]) {
    register(program, ctx);
  }
  // Subcommands report their own usage errors the same way, and never call process.exit.
  for (const cmd of program.commands) cmd.exitOverride().showSuggestionAfterError(true).configureOutput(program.configureOutput());
  return program;
}
