/**
 * A build failure caused by the pushed app (or its dependencies), told to the pusher as is.
 * `details` are extra output lines shown under the reason.
 */
export class BuildError extends Error {
  constructor(message: string, readonly details: readonly string[] = []) {
    super(message);
    this.name = 'BuildError';
  }
}

export function isBuildError(err: unknown): err is BuildError {
  return err instanceof BuildError;
}
