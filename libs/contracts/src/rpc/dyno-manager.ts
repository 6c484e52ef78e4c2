import { z } from 'zod';
import { defineRpc } from './define.js';
import { dynoSize, dynoState, processType } from '../common.js';

export const dynoInfo = z.strictObject({
  id: z.string(),
  appId: z.uuid(),
  appName: z.string(),
  name: z.string(),
  type: processType,
  command: z.string(),
  size: dynoSize,
  state: dynoState,
  releaseVersion: z.number().int().positive(),
  host: z.string(),
  port: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DynoInfo = z.infer<typeof dynoInfo>;

export const ListDynos = defineRpc('dyno-manager', 'ListDynos', z.strictObject({ appId: z.uuid() }), z.array(dynoInfo));
