import { Writable } from 'node:stream';
import type Docker from 'dockerode';

const MAX_LINE = 10_000;

/** A writable that hands each complete line to `emit` (a partial last line on end). */
export function lineWriter(emit: (line: string) => void): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      if (partial.length > MAX_LINE) {
        parts.push(partial);
        partial = '';
      }
      for (const line of parts) emit(line.replace(/\r$/, ''));
      done();
    },
    final(done) {
      if (partial) emit(partial);
      partial = '';
      done();
    },
  });
}

/** A writable passing raw chunks on. */
export function chunkWriter(emit: (chunk: Buffer) => void): Writable {
  return new Writable({ write(chunk: Buffer, _enc, done) { emit(chunk); done(); } });
}

/**
 * Follows a container's stdout and stderr (multiplexed, as without a tty) into `out`; resolves
 * once the stream ended (the container stopped) or was aborted. `fromNow` skips earlier output
 * (an adopted dyno, whose earlier lines were passed on by the previous manager).
 */
export async function followLogs(docker: Docker, container: Docker.Container, out: Writable, fromNow: boolean, signal: AbortSignal): Promise<void> {
  const stream = await container.logs({ follow: true, stdout: true, stderr: true, ...(fromNow ? { tail: 0 } : {}), abortSignal: signal });
  await new Promise<void>((resolve) => {
    let over = false;
    const done = () => {
      if (over) return;
      over = true;
      out.end();
      resolve();
    };
    docker.modem.demuxStream(stream, out, out);
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
    signal.addEventListener('abort', () => {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      done();
    }, { once: true });
  });
}
