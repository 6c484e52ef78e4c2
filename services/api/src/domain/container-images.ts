/** Pure rules of `container:release`: which image a formation update names, and the command an image runs. */

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** What to look up in the registry for one update: a tag or digest of `<app>/<type>`, and the id it must have. */
export interface ImageLookup {
  readonly repository: string;
  readonly reference: string;
  /** The image id (config digest) or manifest digest the user named, checked against what the registry holds. */
  readonly expect?: string;
}

/**
 * The lookup for an update's docker_image: an image id (`sha256:…`, what the Heroku CLI sends, found
 * as `<app>/<type>:latest`), a manifest digest, or a full reference into our registry
 * (`<host>/<app>/<type>[:tag|@digest]`). A message saying what is wrong otherwise.
 */
export function imageLookup(dockerImage: string, registryHost: string, app: string, type: string): ImageLookup | string {
  const repository = `${app}/${type}`;
  const image = dockerImage.trim();
  if (DIGEST.test(image)) return { repository, reference: 'latest', expect: image };
  if (!image.includes('/')) return `docker_image "${dockerImage}" is neither an image id (sha256:…) nor a reference such as ${registryHost}/${repository}:latest`;
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image.replace(/:[^/:]+$/, '');
  const reference = at >= 0 ? image.slice(at + 1) : image.slice(name.length + 1) || 'latest';
  if (name !== `${registryHost}/${repository}`) return `docker_image "${dockerImage}" is not in this app's repository: push ${type} to ${registryHost}/${repository} (paas container:push ${type})`;
  if (at >= 0 && !DIGEST.test(reference)) return `docker_image "${dockerImage}" has a malformed digest`;
  return { repository, reference, ...(at >= 0 ? { expect: reference } : {}) };
}

/** The command a dyno of the image runs: its ENTRYPOINT and CMD as one shell line (each word quoted as needed). */
export function imageCommand(config: { Entrypoint?: string[] | null; Cmd?: string[] | null }): string | undefined {
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  return argv.length ? argv.map(shellWord).join(' ') : undefined;
}

/** A word the shell reads back as itself. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
