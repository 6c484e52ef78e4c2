import type { TLSSocket } from 'node:tls';
import { Logger } from '@nestjs/common';
import { AttachDyno, attachSubjects, StopDynos, type Names } from '@paas/contracts';
import type { NatsConnection, RpcClient } from '@paas/messaging';

/** The one-off dyno a rendezvous secret attaches to. */
export interface AttachTarget {
  readonly appId: string;
  readonly dynoId: string;
  /** run.N */
  readonly name: string;
}

/** What a session needs from the api: NATS, the dyno-manager, and who stops a dyno whose client left. */
export interface SessionDeps {
  readonly nc: NatsConnection;
  readonly names: Names;
  readonly rpc: RpcClient;
  readonly by: string;
}

const log = new Logger('rendezvous');

/**
 * Relays one `heroku run` client and its attached dyno: output from the dyno's out subject to the
 * socket, the socket's bytes (stdin) to its in subject; the socket ends when the exit message
 * comes, and the dyno is stopped when the client goes away first.
 */
export async function relayAttached(socket: TLSSocket, target: AttachTarget, firstInput: Uint8Array, deps: SessionDeps): Promise<void> {
  const s = attachSubjects(deps.names.namespace, target.dynoId);
  let done = false;
  let started = false;
  const early: Uint8Array[] = firstInput.length ? [firstInput] : [];
  const subs = [
    deps.nc.subscribe(s.out, { callback: (err, m) => { if (!err && !socket.destroyed) socket.write(m.data); } }),
    deps.nc.subscribe(s.exit, { callback: () => finish(() => socket.end()) }),
  ];
  const finish = (then: () => void) => {
    if (done) return;
    done = true;
    for (const sub of subs) sub.unsubscribe();
    then();
  };
  const stdin = (d: Uint8Array) => { if (started) deps.nc.publish(s.in, d); else early.push(d); };
  socket.on('data', stdin);
  socket.on('close', () => finish(() => void stopDyno(target, deps)));
  // Subscribed before the dyno starts, so none of its output is missed.
  await deps.nc.flush();
  // Its own write: the CLI drops the first chunk it receives, whatever it holds.
  await new Promise<void>((resolve) => socket.write('rendezvous\r\n', () => resolve()));
  socket.resume();
  try {
    await deps.rpc.request(AttachDyno, { appId: target.appId, dynoId: target.dynoId });
  } catch (err) {
    finish(() => socket.end(`\r\n ▸    ${(err as Error).message}\r\n`));
    return;
  }
  // The dyno reads its in subject from now on: pass what the client typed meanwhile.
  started = true;
  for (const d of early.splice(0)) deps.nc.publish(s.in, d);
}

/** The client left before its command ended: the dyno has nobody to talk to, so it goes. */
async function stopDyno(target: AttachTarget, deps: SessionDeps): Promise<void> {
  if (deps.nc.isClosed()) return;
  await deps.rpc.request(StopDynos, { appId: target.appId, name: target.name, by: deps.by }).catch((err: Error) => {
    log.warn(`stopping ${target.name} after its client disconnected failed: ${err.message}`);
  });
}
