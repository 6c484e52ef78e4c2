import { z } from 'zod';

export type ServiceName = 'api' | 'builder' | 'release' | 'dyno-manager' | 'router';
export const SERVICES: readonly ServiceName[] = ['api', 'builder', 'release', 'dyno-manager', 'router'];

/** A request/reply contract: which service answers it, and the schemas of both sides. */
export interface RpcContract<Req = unknown, Res = unknown> {
  readonly service: ServiceName;
  readonly name: string;
  readonly request: z.ZodType<Req>;
  readonly response: z.ZodType<Res>;
}

export function defineRpc<Req, Res>(service: ServiceName, name: string, request: z.ZodType<Req>, response: z.ZodType<Res>): RpcContract<Req, Res> {
  return { service, name, request, response };
}

export type RequestOf<C> = C extends RpcContract<infer Q, unknown> ? Q : never;
export type ResponseOf<C> = C extends RpcContract<unknown, infer R> ? R : never;

/** Every service answers Ping; the api's health check asks all five. */
export const pingResponse = z.strictObject({ service: z.string(), pid: z.number().int(), uptimeMs: z.number() });
export const pingFor = (service: ServiceName) => defineRpc(service, 'Ping', z.strictObject({}), pingResponse);
