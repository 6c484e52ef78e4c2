import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { z } from 'zod';
import { isPaasError, PaasError, type ErrorId } from '@paas/contracts';

const CODE: Record<ErrorId, status> = {
  not_found: status.NOT_FOUND,
  conflict: status.ALREADY_EXISTS,
  invalid_params: status.INVALID_ARGUMENT,
  illegal_state: status.FAILED_PRECONDITION,
  unauthorized: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  timeout: status.DEADLINE_EXCEEDED,
  unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

/** The gRPC answer to a failed call: code, the same human message as the HTTP body, and the error id. */
export interface GrpcFailure {
  code: status;
  id: ErrorId;
  message: string;
}

/** The one place where errors become gRPC statuses (the twin of HttpErrorsFilter). */
export function describeError(err: unknown): GrpcFailure {
  if (isPaasError(err)) return { code: CODE[err.id], id: err.id, message: err.message };
  if (err instanceof z.ZodError) {
    const message = err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ` : '') + i.message).join('; ');
    return { code: status.INVALID_ARGUMENT, id: 'invalid_params', message };
  }
  // PlatformService's own argument checks (e.g. formation quantities) throw TypeErrors.
  if (err instanceof TypeError && /must be|is not/.test(err.message)) return { code: status.INVALID_ARGUMENT, id: 'invalid_params', message: err.message };
  return { code: status.INTERNAL, id: 'internal', message: 'Internal server error.' };
}

/** A failure as grpc-js sends it, with the error id in the trailing metadata `paas-error-id`. */
export function toServiceError(f: GrpcFailure): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set('paas-error-id', f.id);
  return { code: f.code, details: f.message, metadata };
}
