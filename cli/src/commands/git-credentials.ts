import type { Command } from 'commander';
import { Netrc } from 'netrc-parser';
import type { Context } from '../context.js';

/**
 * git:credentials, the git credential helper apps:create and git:remote configure: answers `get`
 * for the API's host with PAAS_API_KEY or the login ~/.netrc holds for that host.
 */
export function registerGitCredentials(program: Command, ctx: Context): void {
  program.command('git:credentials', { hidden: true }).argument('<operation>')
    .action(async (operation: string) => {
      if (operation !== 'get') return;
      const request = await readStdin();
      const host = /^host=([^\n:]+)/m.exec(request)?.[1];
      if (!host) return;
      const token = ctx.env.PAAS_API_KEY?.trim() || storedToken(ctx.settings.netrcPath, host);
      if (token) ctx.ui.log(`username=paas\npassword=${token}`);
    });
}

function storedToken(path: string, host: string): string | undefined {
  const netrc = new Netrc(path);
  try {
    netrc.loadSync();
  } catch {
    return undefined;
  }
  return netrc.machines[host]?.password;
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}
