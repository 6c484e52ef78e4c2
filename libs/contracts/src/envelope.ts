import { z } from 'zod';

/** Fields every event carries, whatever its type. */
export const envelopeFields = {
  id: z.uuid(),
  appId: z.uuid(),
  occurredAt: z.iso.datetime({ offset: true }),
  causationId: z.uuid().nullable(),
  correlationId: z.uuid(),
  /** Version of the app's stream after this event, when the event came from the release log. */
  streamVersion: z.number().int().positive().optional(),
};

export interface Envelope<T extends string = string, D = unknown> {
  readonly id: string;
  readonly type: T;
  readonly version: number;
  readonly appId: string;
  readonly occurredAt: string;
  readonly causationId: string | null;
  readonly correlationId: string;
  readonly streamVersion?: number;
  readonly data: D;
}

/** A contract for one event type: its name, schema version and strict runtime schema. */
export interface EventContract<T extends string = string, D = unknown> {
  readonly type: T;
  readonly version: number;
  readonly data: z.ZodType<D>;
  readonly schema: z.ZodType<Envelope<T, D>>;
}

/** Declares an event contract; the envelope and the payload both reject unknown fields. */
export function defineEvent<T extends string, D>(type: T, version: number, data: z.ZodType<D>): EventContract<T, D> {
  const schema = z.strictObject({
    ...envelopeFields,
    type: z.literal(type),
    version: z.literal(version),
    data,
  }) as unknown as z.ZodType<Envelope<T, D>>;
  return { type, version, data, schema };
}

export type EventOf<C> = C extends EventContract<infer T, infer D> ? Envelope<T, D> : never;
export type DataOf<C> = C extends EventContract<string, infer D> ? D : never;
