import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { GetApp, GetFormation, GetRuntime, illegalState, invalid, PaasError, processType, ReleaseImages, type AppInfo } from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import type { FileBlobStore } from '@paas/storage';
import { scopeOf, type Actor } from '../actor.js';
import { imageCommand, imageLookup, type ImageLookup } from '../domain/container-images.js';
import { presentFormation } from '../domain/presenters.js';
import { BLOBS } from '../tokens.js';
import { RegistryAuth } from './registry-auth.js';
import { RegistryService } from './registry.service.js';

const MANIFEST_TYPES = ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'];
const LIST_TYPES = ['application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.oci.image.index.v1+json'];

/** Image repositories are lowercase, so the process types of images are too. */
const imageType = processType.regex(/^[a-z0-9_-]+$/, { message: 'process types of images are lowercase letters, digits, - and _ (they name the repository <app>/<type>)' });
export const dockerImageUpdates = z.array(z.object({ type: imageType, docker_image: z.string({ message: 'send docker_image (the image id) for every update, or none' }).min(1) })).min(1);

/** An image found in the registry: what a release records for one process type. */
interface FoundImage { id: string; tag: string; command: string; imageId: string; manifestDigest: string }

/**
 * `container:release`: Heroku's PATCH /apps/:app/formation {updates: [{type, docker_image}]}. Each
 * image is looked up in the platform's registry, then one release runs them (Procfile ignored, the
 * image's own command with $PORT).
 */
@Injectable()
export class ContainerReleases {
  constructor(
    private readonly registry: RegistryService,
    private readonly auth: RegistryAuth,
    private readonly rpc: RpcClient,
    @Inject(BLOBS) private readonly blobs: FileBlobStore,
  ) {}

  async release(actor: Actor, app: string, body: unknown) {
    const host = await this.registry.host();
    const updates = dockerImageUpdates.parse(body);
    const a = await this.rpc.request(GetApp, { app, ...scopeOf(actor) });
    const { runtime } = await this.rpc.request(GetRuntime, {});
    if (runtime !== 'docker') {
      throw illegalState('Container images run on the docker runtime, but this platform runs dynos as processes (PAAS_RUNTIME=process): start it with PAAS_RUNTIME=docker to release images. Nothing was released.');
    }
    const images: Record<string, FoundImage> = {};
    for (const u of updates) {
      const lookup = imageLookup(u.docker_image, host, a.name, u.type);
      if (typeof lookup === 'string') throw invalid(lookup);
      images[u.type] = await this.find(host, lookup, u.type);
    }
    const record = await this.blobs.put(`container-releases/${a.id}/${randomUUID()}.json`, Readable.from([JSON.stringify({ images }, null, 2)]));
    await this.rpc.request(ReleaseImages, {
      app: a.id, record, by: actor.email,
      images: Object.fromEntries(Object.entries(images).map(([type, i]) => [type, { id: i.id, tag: i.tag, command: i.command, imageId: i.imageId }])),
    });
    return this.formation(a);
  }

  private async formation(a: AppInfo) {
    return (await this.rpc.request(GetFormation, { app: a.id })).map((f) => presentFormation(a, f));
  }

  /** The pushed image a lookup names, with its command; 422 saying what to do when it is not there. */
  private async find(host: string, lookup: ImageLookup, type: string): Promise<FoundImage> {
    const token = await this.auth.ownPullToken(lookup.repository);
    const repo = `${host}/${lookup.repository}`;
    const res = await this.get(`/v2/${lookup.repository}/manifests/${lookup.reference}`, token, [...MANIFEST_TYPES, ...LIST_TYPES].join(', '));
    if (res.status === 404) throw invalid(`No image was pushed to ${repo}${lookup.reference === 'latest' ? '' : ` as ${lookup.reference}`}: push it first (paas container:push ${type}).`);
    if (!res.ok) throw new PaasError('unavailable', `The registry answered ${res.status} for ${repo}: try again.`);
    const manifestDigest = res.headers.get('docker-content-digest') ?? '';
    const manifest = await res.json() as { mediaType?: string; config?: { digest?: string } };
    const contentType = res.headers.get('content-type') ?? manifest.mediaType ?? '';
    if (LIST_TYPES.includes(contentType)) throw invalid(`${repo} holds a multi-platform image list: push a single-platform image (docker build, without buildx --platform lists).`);
    const imageId = manifest.config?.digest ?? '';
    if (lookup.expect && lookup.expect !== imageId && lookup.expect !== manifestDigest) {
      throw invalid(`The image ${lookup.expect.slice(0, 19)}… is not the one pushed last to ${repo} (${imageId.slice(0, 19)}…): push it (paas container:push ${type}) and release again.`);
    }
    const config = await this.get(`/v2/${lookup.repository}/blobs/${imageId}`, token, '*/*');
    if (!config.ok) throw new PaasError('unavailable', `The registry answered ${config.status} for the config of ${repo}: try again.`);
    const command = imageCommand(((await config.json()) as { config?: { Entrypoint?: string[]; Cmd?: string[] } }).config ?? {});
    if (!command) throw invalid(`The image pushed to ${repo} has no CMD or ENTRYPOINT: add a CMD to its Dockerfile (it runs with $PORT set), push and release again.`);
    return { id: `${repo}@${manifestDigest}`, tag: `${repo}:latest`, command, imageId, manifestDigest };
  }

  private async get(path: string, token: string, accept: string): Promise<Response> {
    try {
      return await fetch(`${await this.registry.url()}${path}`, { headers: { authorization: `Bearer ${token}`, accept }, signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new PaasError('unavailable', `The container registry does not answer (${(err as Error).message}): try again.`);
    }
  }
}
