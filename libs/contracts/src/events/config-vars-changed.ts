import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName, configVarName } from '../common.js';

/** Config vars were set (string) or removed (null); a release carrying them follows. */
export const ConfigVarsChanged = defineEvent('ConfigVarsChanged', 1, z.strictObject({
  appName,
  changes: z.record(configVarName, z.string().nullable()),
  by: z.string(),
}));
