import type { Command } from 'commander';
import type { Context } from '../context.js';

/** Adds a command's registration to the program. */
export type Register = (program: Command, ctx: Context) => void;

/** A command that acts on one app: -a/--app and -r/--remote. */
export function appCommand(program: Command, name: string, description: string): Command {
  return program.command(name).description(description)
    .option('-a, --app <app>', 'the app to act on (default: the app of the `paas` git remote)')
    .option('-r, --remote <remote>', 'the git remote naming the app (default: paas)');
}

/** Adds --json (the API's objects instead of a table). */
export function withJson(cmd: Command): Command {
  return cmd.option('--json', 'print the Platform API objects as JSON');
}

/** `⬢ name`, Heroku's way of naming an app in messages (coloured on a terminal). */
export function appLabel(ctx: Context, app: string): string {
  return ctx.ui.color.magenta(`⬢ ${app}`);
}

/** Lists names as Heroku's messages do: `A`, `A and B`, `A, B and C`. */
export function sentence(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export const enc = encodeURIComponent;
