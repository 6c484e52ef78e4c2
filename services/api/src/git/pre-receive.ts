/*
 * The pre-receive hook of every app repository. git runs it with the pushed refs on stdin while
 * the new objects are still in quarantine; it archives the pushed commit, hands it to the api
 * (which builds and releases it) and relays the build output, so the pusher sees it as
 * `remote:` lines. Its exit status accepts (0) or rejects the push. No dependencies: it starts fast.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';

const ZERO = /^0+$/;
const DEPLOY_REFS = ['refs/heads/main', 'refs/heads/master'];
const EXIT = '\u0000exit ';

async function main(): Promise<number> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const updates = input.trim().split('\n').filter(Boolean).map((l) => {
    const [oldRev, newRev, ref] = l.split(' ');
    return { oldRev, newRev, ref };
  });
  const deploy = DEPLOY_REFS.map((r) => updates.find((u) => u.ref === r)).find(Boolean);
  for (const u of updates) {
    if (u !== deploy) console.log(`Pushed to ${u.ref}: only main and master deploy, so this ref is stored without a build.`);
  }
  if (!deploy) return 0;
  if (ZERO.test(deploy.newRev)) {
    console.log(` !     Deleting ${deploy.ref.replace('refs/heads/', '')} is not allowed: it is the branch that deploys.`);
    return 1;
  }
  return relay(deploy);
}

function relay(u: { oldRev: string; newRev: string; ref: string }): Promise<number> {
  return new Promise((resolve) => {
    const url = new URL(process.env.PAAS_HOOK_URL!);
    url.searchParams.set('ref', u.ref);
    url.searchParams.set('old', u.oldRev);
    url.searchParams.set('new', u.newRev);
    const headers: Record<string, string> = { 'content-type': 'application/gzip', 'x-paas-push-token': process.env.PAAS_PUSH_TOKEN ?? '' };
    if (process.env.PAAS_TRACEPARENT) headers.traceparent = process.env.PAAS_TRACEPARENT;
    const req = request(url, { method: 'POST', headers }, (res) => {
      let code = res.statusCode === 200 ? 0 : 1;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.startsWith(EXIT)) code = Number(line.slice(EXIT.length));
          else process.stdout.write(line + '\n');
        }
      });
      res.on('end', () => {
        if (buf && !buf.startsWith(EXIT)) process.stdout.write(buf + '\n');
        resolve(code);
      });
    });
    req.on('error', (err) => {
      console.log(` !     The platform could not take this push (${err.message}); nothing was deployed. Try again.`);
      resolve(1);
    });
    const archive = spawn('git', ['archive', '--format=tar.gz', u.newRev], { stdio: ['ignore', 'pipe', 'inherit'] });
    // The body ends only when git archive succeeded, so a failed archive is never built.
    archive.stdout.pipe(req, { end: false });
    archive.on('close', (status) => (status === 0 ? req.end() : req.destroy(new Error(`git archive exited with status ${status}`))));
  });
}

main().then((code) => process.exit(code), (err) => {
  console.log(` !     ${(err as Error).message}`);
  process.exit(1);
});
