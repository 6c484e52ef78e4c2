import { invalid, type Slug } from '@paas/contracts';
import { liveRelease, type AppState } from './app-state.js';

/** The image one process type runs: its reference, its command (the image's ENTRYPOINT + CMD) and its image id. */
export interface ReleasedImage {
  readonly id: string;
  readonly tag: string;
  readonly command: string;
  readonly imageId: string;
}

/** `container:release`: run pushed images (Heroku's PATCH formation with docker_image). */
export interface ReleaseImagesCommand {
  readonly type: 'ReleaseImages';
  readonly images: Readonly<Record<string, ReleasedImage>>;
  /** A stored description of the images, kept as the slug's blob. */
  readonly record: Slug['blob'];
  readonly by: string;
}

export const CONTAINER_BUILDPACK = 'container';
export const CONTAINER_STACK = 'container';

/**
 * The release of pushed images: the named process types run their images; the other types of a
 * previous container release keep theirs. A slug built from source is replaced as a whole (its
 * types ran from the slug, not from images).
 */
export function releaseImages(c: ReleaseImagesCommand, state: AppState, ctx: { newId(): string }) {
  const types = Object.keys(c.images);
  if (types.length === 0) throw invalid('Name at least one process type and its image to release.');
  const live = liveRelease(state)?.slug;
  const kept = live?.buildpack === CONTAINER_BUILDPACK && live.images ? live : undefined;
  const images: Record<string, { id: string; tag: string }> = { ...kept?.images };
  const processTypes: Record<string, string> = { ...kept?.processTypes };
  for (const [type, image] of Object.entries(c.images)) {
    images[type] = { id: image.id, tag: image.tag };
    processTypes[type] = image.command;
  }
  const slug: Slug = {
    id: ctx.newId(), blob: c.record, processTypes, commit: null, buildpack: CONTAINER_BUILDPACK, stack: CONTAINER_STACK, images,
  };
  return { description: imagesDescription(c.images), slug, config: state.config, by: c.by };
}

/** Heroku's wording: "Deployed web (8e4a4f1dd4b4), worker (0c2b7a9e1f33)". */
export function imagesDescription(images: Readonly<Record<string, { imageId: string }>>): string {
  return 'Deployed ' + Object.entries(images).map(([type, i]) => `${type} (${i.imageId.replace(/^sha256:/, '').slice(0, 12)})`).join(', ');
}
