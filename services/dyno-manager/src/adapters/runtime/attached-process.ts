import type { ChildProcess } from 'node:child_process';
import type { AttachCallbacks, AttachedProcess, DynoExit, DynoHandle } from './driver.js';
import { signalGroup } from './process-state.js';

/**
 * The process of an attached one-off dyno, a child of this manager with piped stdio. It is
 * over when its command exits: whatever the command left in the background is killed so the
 * output pipes close, then onExit reports the status after the last output.
 */
export class AttachedChild implements AttachedProcess {
  readonly closed: Promise<DynoExit>;
  private stopping = false;

  constructor(readonly handle: DynoHandle, private readonly child: ChildProcess, callbacks: AttachCallbacks, cleanup: () => Promise<void>) {
    child.stdout!.on('data', (d: Buffer) => callbacks.onOutput(d));
    child.stderr!.on('data', (d: Buffer) => callbacks.onOutput(d));
    // A command that does not read its stdin closes the pipe: later writes fail with EPIPE, harmlessly.
    child.stdin!.on('error', () => undefined);
    child.once('exit', () => signalGroup(handle.pid, 'SIGKILL'));
    this.closed = new Promise<DynoExit>((resolve) => {
      child.once('close', (code, signal) => {
        const exit = { code, signal };
        void cleanup().finally(() => {
          callbacks.onExit(exit);
          resolve(exit);
        });
      });
    });
  }

  write(data: Buffer): void {
    if (!this.child.stdin!.writableEnded) this.child.stdin!.write(data);
  }

  end(): void {
    if (!this.child.stdin!.writableEnded) this.child.stdin!.end();
  }

  /** SIGTERM to the whole group, SIGKILL after graceMs; resolves with the exit once the pipes closed. */
  async stop(graceMs: number): Promise<DynoExit> {
    if (!this.stopping && this.child.exitCode === null && this.child.signalCode === null) {
      this.stopping = true;
      signalGroup(this.handle.pid, 'SIGTERM');
      let forced = false;
      const timer = setTimeout(() => { forced = signalGroup(this.handle.pid, 'SIGKILL'); }, graceMs);
      const exit = await this.closed;
      clearTimeout(timer);
      return forced ? { ...exit, forced } : exit;
    }
    return this.closed;
  }

  /** Kills the group at once (the manager stops: an attached dyno does not outlive it). */
  kill(): void {
    signalGroup(this.handle.pid, 'SIGKILL');
  }
}
