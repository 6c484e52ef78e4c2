import { applyDecorators, Catch, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import { EventPattern, MessagePattern } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import type { EventContract, RpcContract } from '@paas/contracts';

/** Hands every error back to the transport unchanged, so typed errors keep their id. */
@Catch()
export class PassThroughRpcFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/** Marks a controller method as the durable JetStream consumer of one event type. */
export function OnEvent(contract: EventContract<string, any>): MethodDecorator {
  return applyDecorators(EventPattern(contract.type, { contract }), UseFilters(new PassThroughRpcFilter()));
}

/** Marks a controller method as the request/reply handler of one command or query. */
export function HandleRpc(contract: RpcContract<any, any>): MethodDecorator {
  return applyDecorators(MessagePattern(contract.name, { contract }), UseFilters(new PassThroughRpcFilter()));
}
