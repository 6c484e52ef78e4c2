import { Logger } from '@nestjs/common';
import type { handleServerStreamingCall, handleUnaryCall, Metadata, ServerWritableStream, ServiceError } from '@grpc/grpc-js';
import type { Actor } from '../actor.js';
import { describeError, toServiceError } from './grpc-errors.js';

const log = new Logger('api-grpc');

/** Who a call's `authorization` metadata names: the admin key or a user's token, as over HTTP. */
export type ResolveActor = (authorization: string | undefined) => Promise<Actor>;

/** Resolves the caller of each call and turns every failure into a gRPC status in one way. */
export class GrpcCalls {
  constructor(private readonly resolve: ResolveActor) {}

  /** A unary handler: the answer of `fn`, or its error as a status. */
  unary<Req, Res>(name: string, fn: (req: Req, actor: Actor) => Promise<Res>): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      this.run(name, call.metadata, (actor) => fn(call.request, actor))
        .then((res) => callback(null, res), (err: Partial<ServiceError>) => callback(err));
    };
  }

  /** A server-streaming handler: `fn` writes to the call; the call ends when it returns. */
  serverStream<Req, Res>(name: string, fn: (req: Req, call: ServerWritableStream<Req, Res>, actor: Actor) => Promise<void>): handleServerStreamingCall<Req, Res> {
    return (call) => {
      this.run(name, call.metadata, (actor) => fn(call.request, call, actor))
        .then(() => call.end(), (err: Partial<ServiceError>) => call.emit('error', err));
    };
  }

  private async run<T>(name: string, metadata: Metadata, fn: (actor: Actor) => Promise<T>): Promise<T> {
    try {
      const header = metadata.get('authorization')[0];
      return await fn(await this.resolve(typeof header === 'string' ? header : undefined));
    } catch (err) {
      const failure = describeError(err);
      if (failure.id === 'internal') log.error(`${name} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      throw toServiceError(failure);
    }
  }
}
