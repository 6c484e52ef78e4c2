import { dirname } from 'node:path';
import type { Sandbox, SandboxRun, StackPython } from '../buildpacks/context.js';
import { pythonInterpreters } from './python-interpreters.js';
import { runCommand } from './run-command.js';

/** Commands run on the builder's host, in the build's throwaway directory (the process runtime). */
export class HostSandbox implements Sandbox {
  readonly env = process.env;

  at(hostPath: string): string {
    return hostPath;
  }

  path(...dirs: string[]): string {
    // The node running the builder comes first after the build's own dirs, however it was started.
    return [...dirs, dirname(process.execPath), process.env.PATH || '/usr/local/bin:/usr/bin:/bin'].join(':');
  }

  run(argv: readonly string[], o: SandboxRun): Promise<void> {
    return runCommand(argv, o);
  }

  pythons(): Promise<StackPython[]> {
    return pythonInterpreters();
  }

  nodeVersion(): Promise<string> {
    return Promise.resolve(process.versions.node);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
