import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { removeTenantNetworks } from '@paas/isolation';

/** The image `npm run stack:build` makes: Debian bookworm with python3, node and bash. */
export const DEFAULT_STACK_IMAGE = 'paas/stack:bookworm';

/** scripts/stack-build.sh of this repository (from dist/src/adapters/runtime). */
export const STACK_BUILD_SCRIPT = fileURLToPath(new URL('../../../../../../scripts/stack-build.sh', import.meta.url));

export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/**
 * Makes sure the stack image exists: the default one is built with scripts/stack-build.sh when
 * missing (minutes, once per machine); another one (PAAS_STACK_IMAGE) must be there already.
 */
export async function ensureStackImage(docker: Docker, image: string, log: (line: string) => void): Promise<void> {
  if (await imageExists(docker, image)) return;
  if (image !== DEFAULT_STACK_IMAGE) {
    throw new Error(`the stack image ${image} (PAAS_STACK_IMAGE) is not in the local Docker engine: pull or load it first`);
  }
  log(`the stack image ${image} is missing: building it now with ${STACK_BUILD_SCRIPT} (npm run stack:build; a few minutes, once)`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [STACK_BUILD_SCRIPT, image], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (d: Buffer) => { tail = (tail + d.toString()).slice(-2000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => code === 0
      ? resolve()
      : reject(new Error(`building the stack image ${image} failed (exit ${code}): ${tail.trim().split('\n').slice(-3).join(' / ')}`)));
  });
  log(`the stack image ${image} is built`);
}

/** True when a Docker engine answers within `timeoutMs`. */
export async function engineAnswers(docker: Docker, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  try {
    return await Promise.race([docker.ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Removes every container of a namespace (dynos, builds), then its tenant network and firewall
 * (tests clean up with this); nothing when no engine answers.
 */
export async function removeDockerDynos(namespace: string, docker: Docker = new Docker()): Promise<number> {
  if (!await engineAnswers(docker)) return 0;
  const found = await docker.listContainers({ all: true, filters: { label: [`paas.scope=${namespace}`] } });
  await Promise.all(found.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  await removeTenantNetworks(docker, namespace);
  return found.length;
}
