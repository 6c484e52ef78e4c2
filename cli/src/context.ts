import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApiClient } from './api-client.js';
import { resolveApp } from './app-resolution.js';
import { tokenFor } from './credentials.js';
import { gitRemotes } from './git.js';
import { Ui } from './output/ui.js';
import { settingsFrom, type Settings } from './settings.js';

/** The flags every app command takes. */
export interface AppFlags {
  app?: string;
  remote?: string;
}

/** What a command runs with: settings, the API, the terminal; created lazily so `--help` needs none of it. */
export class Context {
  private cachedSettings: Settings | undefined;
  private cachedApi: ApiClient | undefined;

  constructor(readonly env: NodeJS.ProcessEnv = process.env, readonly ui: Ui = new Ui(), readonly cwd: string = process.cwd()) {}

  get settings(): Settings {
    this.cachedSettings ??= settingsFrom(this.env);
    return this.cachedSettings;
  }

  /** The Platform API with this user's token (read when the first request goes out). */
  get api(): ApiClient {
    this.cachedApi ??= new ApiClient(this.settings.apiUrl, () => tokenFor(this.settings), this.settings.extraCa);
    return this.cachedApi;
  }

  /** The app of a command: -a, else the `paas` (or -r) remote of the repository in cwd. */
  async app(flags: AppFlags): Promise<string> {
    if (flags.app !== undefined) return resolveApp({ flag: flags.app });
    return resolveApp({ remote: flags.remote, remotes: await gitRemotes(this.cwd) });
  }

  /** The git credential helper line that runs this very CLI (`git:credentials`), for repositories it sets up. */
  credentialHelper(): string {
    const bin = realpathSync(fileURLToPath(new URL('../../bin/paas.js', import.meta.url)));
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    return `!${quote(process.execPath)} ${quote(bin)} git:credentials`;
  }
}
