/** Error kinds shared by every transport; the api maps each to an HTTP status in one place. */
export type ErrorId =
  | 'not_found' | 'conflict' | 'invalid_params' | 'illegal_state'
  | 'unauthorized' | 'forbidden' | 'timeout' | 'unavailable' | 'internal';

/** A typed error that crosses service boundaries with its id and a message meant for users. */
export class PaasError extends Error {
  constructor(readonly id: ErrorId, message: string) {
    super(message);
    this.name = 'PaasError';
  }
  toJSON(): { id: ErrorId; message: string } {
    return { id: this.id, message: this.message };
  }
}

export const notFound = (message: string) => new PaasError('not_found', message);
export const conflict = (message: string) => new PaasError('conflict', message);
export const invalid = (message: string) => new PaasError('invalid_params', message);
export const illegalState = (message: string) => new PaasError('illegal_state', message);

/** Raised when an append finds the stream at another version than the command was decided on. */
export class ConcurrencyError extends PaasError {
  constructor(readonly streamId: string, readonly expected: number, readonly actual: number) {
    super('conflict', `stream ${streamId} is at version ${actual}, expected ${expected}`);
    this.name = 'ConcurrencyError';
  }
}

export function isPaasError(e: unknown): e is PaasError {
  return e instanceof PaasError;
}
