import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName, dynoState, processType } from '../common.js';

/** A dyno moved between starting, up, crashed and down. */
export const DynoStateChanged = defineEvent('DynoStateChanged', 1, z.strictObject({
  appName,
  dyno: z.strictObject({
    id: z.string().min(1),
    name: z.string().min(1),
    type: processType,
    releaseVersion: z.number().int().positive(),
    host: z.string(),
    port: z.number().int().positive().nullable(),
  }),
  from: dynoState.nullable(),
  to: dynoState,
  exitCode: z.number().int().nullable(),
  reason: z.string().nullable(),
}));
