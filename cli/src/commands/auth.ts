import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import type { Account, Authorization } from '../api-types.js';
import { readLogin, removeLogin, storeLogin } from '../credentials.js';
import { CliError, usageError } from '../errors.js';
import type { Context } from '../context.js';

/** login, logout, auth:whoami: a token per API host in ~/.netrc, as the Heroku CLI keeps it. */
export function registerAuth(program: Command, ctx: Context): void {
  program.command('login').description('log in with email and password; the token is kept in ~/.netrc for the API host')
    .option('-e, --email <email>', 'the account email (else asked)')
    .option('-i, --interactive', 'ask for email and password in the terminal (what login always does; accepted as the Heroku CLI takes it)')
    .action(async (opts: { email?: string }) => login(ctx, opts.email));

  program.command('logout').description('revoke the stored token and remove it from ~/.netrc')
    .action(async () => logout(ctx));

  program.command('auth:whoami').alias('whoami').description('the email of the account in use')
    .action(async () => ctx.ui.log((await ctx.api.get<Account>('/account')).email));
}

async function login(ctx: Context, emailFlag: string | undefined): Promise<void> {
  const s = ctx.settings;
  const ask = prompter();
  try {
    ctx.ui.note(`Logging in to ${s.apiUrl}`);
    const email = emailFlag ?? (await ask.line('Email: '));
    if (!email.includes('@')) throw usageError('an email is needed to log in, e.g. `paas login -e me@example.com`');
    const password = await ask.line('Password: ', true);
    if (!password) throw usageError('a password is needed to log in');
    const basic = Buffer.from(`${email}:${password}`).toString('base64');
    const api = new ApiClient(s.apiUrl, () => '', s.extraCa);
    const auth = await ctx.ui.action('Logging in', () => api.call<{ access_token: { token: string }; user: { email: string } }>(
      'POST', '/oauth/authorizations', { description: 'paas CLI login' }, { authorization: `Basic ${basic}` },
    ).catch((err: CliError) => {
      throw /invalid credentials/i.test(err.message) ? new CliError(`wrong email or password for ${s.apiUrl}: run \`paas login\` again`) : err;
    }));
    storeLogin(s, auth.body.user.email, auth.body.access_token.token);
    ctx.ui.log(`Logged in as ${auth.body.user.email}`);
    if (s.apiKey) ctx.ui.note('PAAS_API_KEY is set: commands send it instead of this login until it is unset');
  } finally {
    ask.close();
  }
}

async function logout(ctx: Context): Promise<void> {
  const stored = readLogin(ctx.settings);
  if (!stored?.password) throw new CliError(`not logged in to ${ctx.settings.apiUrl} (nothing in ~/.netrc to remove)`);
  const token = stored.password;
  const api = new ApiClient(ctx.settings.apiUrl, () => token, ctx.settings.extraCa);
  await ctx.ui.action('Logging out', async () => {
    // Only the caller's own token comes back with its value: that is the one to revoke.
    const mine = (await api.get<Authorization[]>('/oauth/authorizations').catch(() => [])).find((a) => a.access_token?.token === token);
    if (mine) await api.delete(`/oauth/authorizations/${mine.id}`);
    removeLogin(ctx.settings);
  });
}

/** Reads answers line by line from stdin (typed or piped); hides what is typed after a secret prompt on a terminal. */
function prompter() {
  let muted = false;
  const output = new Writable({ write: (chunk, _enc, done) => { if (!muted) process.stderr.write(chunk); done(); } });
  const rl = createInterface({ input: process.stdin, output, terminal: Boolean(process.stdin.isTTY) });
  const lines = rl[Symbol.asyncIterator]();
  return {
    async line(prompt: string, secret = false): Promise<string> {
      process.stderr.write(prompt);
      muted = secret && Boolean(process.stdin.isTTY);
      const next = await lines.next();
      // Where nothing echoed the answer (hidden, or piped), end the prompt's line.
      if (muted || !process.stdin.isTTY) process.stderr.write('\n');
      muted = false;
      if (next.done) throw usageError(`no answer to "${prompt.trim()}" (stdin ended)`);
      return String(next.value).trim();
    },
    close: () => rl.close(),
  };
}
