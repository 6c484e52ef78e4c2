import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Writes a pure-Python wheel by hand (a wheel is a zip with a dist-info), so the tests need no
 * public index: `module` gets `VALUE = <value>`.
 */
export function makeWheel(dir: string, name: string, version: string, module: string, value: string): Promise<string> {
  return makeWheelOf(dir, name, version, { [`${module}/__init__.py`]: `VALUE = ${JSON.stringify(value)}\n` });
}

/** A pure-Python wheel holding `files` (path -> text), its METADATA naming `requires` (Requires-Dist lines). */
export async function makeWheelOf(dir: string, name: string, version: string, files: Record<string, string>, requires: string[] = []): Promise<string> {
  const dist = name.replaceAll('-', '_');
  const file = `${dist}-${version}-py3-none-any.whl`;
  const script = `
import base64, hashlib, json, sys, zipfile
dist, version, path = sys.argv[1:4]
files, requires = json.loads(sys.argv[4]), json.loads(sys.argv[5])
info = f'{dist}-{version}.dist-info'
files[f'{info}/METADATA'] = f'Metadata-Version: 2.1\\nName: {dist}\\nVersion: {version}\\n' + ''.join(f'Requires-Dist: {r}\\n' for r in requires)
files[f'{info}/WHEEL'] = 'Wheel-Version: 1.0\\nGenerator: paas-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n'
record = []
with zipfile.ZipFile(path, 'w') as z:
    for n, text in files.items():
        data = text.encode()
        z.writestr(n, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
        record.append(f'{n},sha256={digest},{len(data)}')
    record.append(f'{info}/RECORD,,')
    z.writestr(f'{info}/RECORD', '\\n'.join(record) + '\\n')
`;
  await run('python3', ['-c', script, dist, version, join(dir, file), JSON.stringify(files), JSON.stringify(requires)]);
  return join(dir, file);
}

/** A PEP 503 simple index on 127.0.0.1 serving the given wheels; `requests` counts what pip asked for. */
export class PythonIndex {
  readonly requests: string[] = [];
  private constructor(private readonly server: Server, readonly url: string, readonly hashes: Map<string, string>) {}

  static async start(wheels: string[]): Promise<PythonIndex> {
    const files = new Map<string, Buffer>();
    const hashes = new Map<string, string>();
    for (const w of wheels) {
      const data = await readFile(w);
      const base = w.split('/').at(-1)!;
      files.set(base, data);
      hashes.set(base, createHash('sha256').update(data).digest('hex'));
    }
    const project = (f: string) => f.split('-')[0].replaceAll('_', '-').toLowerCase();
    let index: PythonIndex;
    const server = createServer((req, res) => {
      const path = decodeURIComponent(req.url ?? '/').split('#')[0];
      index.requests.push(path);
      const m = /^\/simple\/([^/]+)\/?$/.exec(path);
      if (m) {
        const wanted = m[1].toLowerCase().replace(/[-_.]+/g, '-');
        const links = [...files.keys()].filter((f) => project(f) === wanted).map((f) => `<a href="/files/${f}#sha256=${hashes.get(f)}">${f}</a>`);
        if (!links.length) return void res.writeHead(404).end('not found');
        return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><html><body>${links.join('\n')}</body></html>`);
      }
      const f = /^\/files\/([^/]+)$/.exec(path)?.[1];
      if (f && files.has(f)) return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(files.get(f));
      res.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    index = new PythonIndex(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple`, hashes);
    return index;
  }

  /** Where the index serves a wheel (its base name), as a lock file records it. */
  fileUrl(wheel: string): string {
    return this.url.replace(/\/simple$/, `/files/${wheel}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
