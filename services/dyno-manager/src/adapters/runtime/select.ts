import { Logger } from '@nestjs/common';
import Docker from 'dockerode';
import { canSwitchUsers } from '@paas/isolation';
import { blobStoreFor } from '@paas/storage';
import type { DynoManagerSettings } from '../../config.js';
import { DockerDriver } from './docker-driver.js';
import type { RuntimeDriver } from './driver.js';
import { registryPullAuth } from './image-pull.js';
import { ProcessDriver } from './process-driver.js';
import { engineAnswers, ensureStackImage } from './stack-image.js';

/** The runtime driver the settings ask for; `auto` takes docker when an engine answers, else the process driver. */
export async function runtimeDriver(settings: DynoManagerSettings): Promise<RuntimeDriver> {
  const log = new Logger('dyno-manager:runtime');
  const blobs = blobStoreFor(settings.dataDir);
  const docker = new Docker();
  let runtime = settings.runtime;
  if (runtime === 'auto') {
    runtime = await engineAnswers(docker) ? 'docker' : 'process';
    log.log(`PAAS_RUNTIME=auto: ${runtime === 'docker' ? 'a Docker engine answers, dynos run as containers' : 'no Docker engine answers, dynos run as processes'}`);
  }
  if (runtime === 'process') {
    const appUsers = canSwitchUsers();
    log.warn(`the process runtime gives dynos no network isolation (they share this host's network): for development and single-tenant use; ${
      appUsers ? 'each app\'s dynos run as a user of their own' : 'dynos run as the platform\'s own user (run it as root for a user per app)'}`);
    return new ProcessDriver({ dataDir: settings.dataDir, portMin: settings.portMin, portMax: settings.portMax, appUsers, memoryMb: settings.memoryMb }, blobs);
  }
  if (!await engineAnswers(docker, 5000)) {
    throw new Error('PAAS_RUNTIME=docker but no Docker engine answers (DOCKER_HOST or /var/run/docker.sock): start dockerd, or set PAAS_RUNTIME=process');
  }
  return new DockerDriver({
    docker,
    image: settings.stackImage,
    scope: settings.messaging.namespace,
    portMin: settings.portMin,
    portMax: settings.portMax,
    routerPorts: settings.routerPorts,
    addonServers: settings.addonServers,
    memoryMb: settings.memoryMb,
    memoryCheckMs: settings.memoryCheckMs,
    ensureImage: () => ensureStackImage(docker, settings.stackImage, (line) => log.log(line)),
    pullAuth: (image) => registryPullAuth(settings.dataDir, image),
  }, blobs);
}
