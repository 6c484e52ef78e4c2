import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName, formationEntry } from '../common.js';

/** The desired dyno counts changed; `formation` is the whole formation after the change. */
export const FormationScaled = defineEvent('FormationScaled', 1, z.strictObject({
  appName,
  formation: z.array(formationEntry),
  changed: z.array(formationEntry),
  by: z.string(),
}));
