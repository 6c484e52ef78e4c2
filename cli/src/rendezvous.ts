import { connect } from 'node:tls';
import { CliError } from './errors.js';
import { ExitStatusFilter } from './exit-status.js';

/** The first bytes the rendezvous sends once the secret is accepted; not part of the output. */
const ACK = Buffer.from('rendezvous\r\n');
/** End of input, as the Heroku CLI sends it when its stdin ends. */
const END_OF_INPUT = Buffer.from([0x04]);

export interface AttachIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
}

/**
 * Attaches to a one-off dyno through its attach_url (`rendezvous://host:port/secret`): TLS to the
 * rendezvous trusting the platform CA, the secret line, then stdin in and output out until the
 * command ends. Resolves with the command's exit status when `filter` found it.
 */
export function attach(attachUrl: string, ca: string[] | undefined, io: AttachIo, filter?: ExitStatusFilter): Promise<number | undefined> {
  const u = new URL(attachUrl);
  if (u.protocol !== 'rendezvous:') throw new CliError(`the platform answered an attach_url this CLI cannot use (${u.protocol}): upgrade paas`);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port), ...(ca ? { ca } : {}) });
    let head: Buffer | undefined = Buffer.alloc(0);
    const forward = (d: Buffer) => {
      if (head !== undefined) {
        head = Buffer.concat([head, d]);
        if (head.length < ACK.length && ACK.subarray(0, head.length).equals(head)) return;
        d = head.subarray(0, ACK.length).equals(ACK) ? head.subarray(ACK.length) : head;
        head = undefined;
      }
      const out = filter ? filter.feed(d) : d;
      if (out.length) io.stdout.write(out);
    };
    const onInput = (d: Buffer | string) => socket.write(d);
    const onEnd = () => socket.write(END_OF_INPUT);
    socket.once('secureConnect', () => {
      socket.write(`${u.pathname.slice(1)}\r\n`);
      io.stdin.on('data', onInput);
      io.stdin.once('end', onEnd);
      io.stdin.resume();
    });
    socket.on('data', forward);
    socket.on('error', (err: NodeJS.ErrnoException) => reject(new CliError(attachError(u, err))));
    socket.on('close', () => {
      io.stdin.off('data', onInput);
      io.stdin.off('end', onEnd);
      io.stdin.pause();
      if (filter) {
        const rest = filter.flush();
        if (rest.length) io.stdout.write(rest);
      }
      resolve(filter?.status);
    });
  });
}

function attachError(u: URL, err: NodeJS.ErrnoException): string {
  const where = `${u.hostname}:${u.port}`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(err.code ?? err.message)) {
    return `the rendezvous at ${where} has a certificate this machine does not trust (${err.code}): set NODE_EXTRA_CA_CERTS to the platform CA (<PAAS_DATA_DIR>/tls/ca.pem)`;
  }
  return `cannot attach to the dyno through ${where} (${err.code ?? err.message}): is the platform's rendezvous port reachable from here?`;
}
