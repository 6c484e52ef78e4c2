import { dirname } from 'node:path';
import { tenantCommand, type ProcessLimits } from '@paas/isolation';
import type { Sandbox, SandboxRun, StackPython } from '../buildpacks/context.js';
import { pythonInterpreters } from './python-interpreters.js';
import { runCommand } from './run-command.js';

/**
 * Commands run on the builder's host, in the build's throwaway directory (the process runtime):
 * as the app's own user within the build's limits when `user` is given (the builder runs as
 * root), else as the builder's user.
 */
export class HostSandbox implements Sandbox {
  readonly env = process.env;
  private readonly prefix: readonly string[];

  constructor(user?: { readonly uid: number; readonly limits: ProcessLimits }) {
    this.prefix = user ? tenantCommand(user.uid, user.limits, []) : [];
  }

  at(hostPath: string): string {
    return hostPath;
  }

  path(...dirs: string[]): string {
    // The node running the builder comes first after the build's own dirs, however it was started.
    return [...dirs, dirname(process.execPath), process.env.PATH || '/usr/local/bin:/usr/bin:/bin'].join(':');
  }

  run(argv: readonly string[], o: SandboxRun): Promise<void> {
    return runCommand(argv, { ...o, prefix: this.prefix });
  }

  pythons(): Promise<StackPython[]> {
    return pythonInterpreters(this.prefix);
  }

  nodeVersion(): Promise<string> {
    return Promise.resolve(process.versions.node);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
