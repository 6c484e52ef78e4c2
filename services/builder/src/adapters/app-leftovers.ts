import { Logger } from '@nestjs/common';
import Docker from 'dockerode';
import type { BuildCache } from './build-cache.js';

/**
 * What a destroyed app leaves in the builder: its build cache and the images its heroku.yml
 * builds made (labelled paas.app=<name>). Images are removed best effort: no engine, or an image
 * still in use, leaves them for `docker image prune`.
 */
export async function removeAppLeftovers(cache: BuildCache, appId: string, appName: string, docker = new Docker()): Promise<void> {
  const log = new Logger('build');
  await cache.purge(appId);
  const images = await docker.listImages({ filters: { label: [`paas.app=${appName}`] } }).catch(() => []);
  for (const image of images) {
    await docker.getImage(image.Id).remove({ force: true }).catch((err: Error) => log.warn(`keeping image ${image.Id.slice(7, 19)} of destroyed app ${appName}: ${err.message}`));
  }
  if (images.length) log.log(`removed the build cache and ${images.length} image(s) of destroyed app ${appName}`);
}
