import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';

/** Who the dyno-manager says it is to the platform's registry (any name works: the secret decides). */
const PULLER = 'paas-dyno-manager';

/**
 * Credentials for pulling a pushed image from the platform's registry: the pull-only secret the
 * api keeps in the data dir. Undefined for other registries or when there is no secret (yet).
 */
export async function registryPullAuth(dataDir: string, image: string): Promise<Docker.AuthConfig | undefined> {
  const host = image.split('/')[0] ?? '';
  if (!/^(127\.\d+\.\d+\.\d+|localhost):\d+$/.test(host)) return undefined;
  const secret = await readFile(join(dataDir, 'registry', 'pull-secret'), 'utf8').then((s) => s.trim()).catch(() => '');
  return secret ? { username: PULLER, password: secret, serveraddress: host } : undefined;
}

/** Pulls an image the engine does not have yet; the error says which image and why (never the credentials). */
export async function pullMissingImage(docker: Docker, image: string, auth: Docker.AuthConfig | undefined): Promise<void> {
  if (await docker.getImage(image).inspect().then(() => true, () => false)) return;
  const stream = await docker.pull(image, auth ? { authconfig: auth } : {}).catch((err: Error) => {
    throw new Error(`pulling ${image}: ${err.message}`);
  });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, output: { error?: string }[]) => {
      const failed = err?.message ?? output.find((m) => m.error)?.error;
      if (failed) reject(new Error(`pulling ${image}: ${failed}`));
      else resolve();
    });
  });
}
