/**
 * The first command a tenant sends to a Redis add-on server: Redis lets an unauthenticated
 * connection act as its `default` user, so a connection is passed on only when it starts by
 * authenticating as a named user (`AUTH user pass`, or `HELLO <v> AUTH user pass`), never as
 * `default`. Pure: it reads the bytes received so far.
 */
export type GateVerdict =
  | { readonly kind: 'more' }
  | { readonly kind: 'pass'; readonly length: number }
  | { readonly kind: 'refuse'; readonly reply: string };

/** The most a first command may take before it is refused (an AUTH is a few hundred bytes). */
const MAX_FIRST = 4096;
const NOAUTH = '-NOAUTH Authentication required: connect with the user name and password of your add-on\'s URL.\r\n';

/** Decides on the first command in `buf`. */
export function redisFirstCommand(buf: Buffer): GateVerdict {
  const parsed = parseCommand(buf);
  if (parsed === 'more') return buf.length > MAX_FIRST ? { kind: 'refuse', reply: NOAUTH } : { kind: 'more' };
  if (parsed === 'bad') return { kind: 'refuse', reply: NOAUTH };
  const [name, ...args] = parsed.args;
  const verb = name?.toUpperCase();
  const user = verb === 'AUTH' && args.length === 2 ? args[0]
    : verb === 'HELLO' && args.length >= 4 && args[1].toUpperCase() === 'AUTH' ? args[2] : undefined;
  if (user === undefined || user === 'default') return { kind: 'refuse', reply: NOAUTH };
  return { kind: 'pass', length: parsed.length };
}

/** One RESP array of bulk strings (what clients send); inline commands are refused. */
function parseCommand(buf: Buffer): { args: string[]; length: number } | 'more' | 'bad' {
  if (buf.length === 0) return 'more';
  if (buf[0] !== 0x2a) return 'bad'; // '*'
  let pos = 1;
  const line = (): string | 'more' => {
    const end = buf.indexOf('\r\n', pos);
    if (end < 0) return 'more';
    const text = buf.toString('latin1', pos, end);
    pos = end + 2;
    return text;
  };
  const count = line();
  if (count === 'more') return 'more';
  const n = Number(count);
  if (!Number.isInteger(n) || n < 1 || n > 16) return 'bad';
  const args: string[] = [];
  for (let i = 0; i < n; i++) {
    if (pos >= buf.length) return 'more';
    if (buf[pos] !== 0x24) return 'bad'; // '$'
    pos++;
    const size = line();
    if (size === 'more') return 'more';
    const len = Number(size);
    if (!Number.isInteger(len) || len < 0 || len > 1024) return 'bad';
    if (buf.length < pos + len + 2) return 'more';
    args.push(buf.toString('latin1', pos, pos + len));
    if (buf[pos + len] !== 0x0d || buf[pos + len + 1] !== 0x0a) return 'bad';
    pos += len + 2;
  }
  return { args, length: pos };
}

/**
 * Whether Redis accepted the authentication: its first reply is `+OK` (AUTH) or a map or array
 * (HELLO). An error reply means the connection is still `default`, so it must end there.
 */
export function redisAuthAccepted(reply: Buffer): boolean | 'more' {
  if (reply.length === 0) return 'more';
  const first = reply[0];
  return first === 0x2b || first === 0x25 || first === 0x2a; // '+', '%', '*'
}
