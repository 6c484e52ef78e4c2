import { Logger } from '@nestjs/common';
import type { handleServerStreamingCall, handleUnaryCall, Metadata, ServerWritableStream, ServiceError } from '@grpc/grpc-js';
import { authorizeCall, describeError, toServiceError } from './grpc-errors.js';

const log = new Logger('api-grpc');

/** Checks the key on each call and turns every failure into a gRPC status in one way. */
export class GrpcCalls {
  constructor(private readonly key: { value: string }) {}

  /** A unary handler: the answer of `fn`, or its error as a status. */
  unary<Req, Res>(name: string, fn: (req: Req) => Promise<Res>): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      this.run(name, call.metadata, () => fn(call.request))
        .then((res) => callback(null, res), (err: Partial<ServiceError>) => callback(err));
    };
  }

  /** A server-streaming handler: `fn` writes to the call; the call ends when it returns. */
  serverStream<Req, Res>(name: string, fn: (req: Req, call: ServerWritableStream<Req, Res>) => Promise<void>): handleServerStreamingCall<Req, Res> {
    return (call) => {
      this.run(name, call.metadata, () => fn(call.request, call))
        .then(() => call.end(), (err: Partial<ServiceError>) => call.emit('error', err));
    };
  }

  private async run<T>(name: string, metadata: Metadata, fn: () => Promise<T>): Promise<T> {
    try {
      authorizeCall(metadata, this.key.value);
      return await fn();
    } catch (err) {
      const failure = describeError(err);
      if (failure.id === 'internal') log.error(`${name} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      throw toServiceError(failure);
    }
  }
}
