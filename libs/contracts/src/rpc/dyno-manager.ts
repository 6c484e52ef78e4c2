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

/** A terminal's size in characters. */
export const ttySize = z.strictObject({ columns: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) });
export type TtySize = z.infer<typeof ttySize>;

/** Which runtime runs dynos: pushed container images need docker. */
export const GetRuntime = defineRpc('dyno-manager', 'GetRuntime', z.strictObject({}), z.strictObject({ runtime: z.enum(['docker', 'process']) }));

export const ListDynos = defineRpc('dyno-manager', 'ListDynos', z.strictObject({ appId: z.uuid() }), z.array(dynoInfo));

/** Which dynos a restart or stop targets: all of the app's, one process type, or one dyno by name. */
const dynoTarget = z.strictObject({
  appId: z.uuid(),
  type: processType.optional(),
  name: z.string().regex(/^[A-Za-z0-9_-]+\.\d+$/).optional(),
  by: z.string(),
});

/** Restarts dynos: each is stopped and the formation starts a fresh one (crash count cleared). */
export const RestartDynos = defineRpc('dyno-manager', 'RestartDynos', dynoTarget, z.strictObject({ dynos: z.array(z.string()) }));
/** Stops dynos; those the formation still asks for are started again, as on Heroku. */
export const StopDynos = defineRpc('dyno-manager', 'StopDynos', dynoTarget, z.strictObject({ dynos: z.array(z.string()) }));

/**
 * Starts a one-off dyno (run.N) on the current release: never restarted, gone when its command ends.
 * With `attach` the dyno is only created (pending, state starting): AttachDyno starts it once a client
 * is connected to its attach subjects; one nobody attaches to is dropped after a while.
 */
export const RunDyno = defineRpc('dyno-manager', 'RunDyno',
  z.strictObject({
    appId: z.uuid(), command: z.string().min(1), env: z.record(z.string(), z.string()).optional(), size: dynoSize.optional(), by: z.string(),
    attach: z.boolean().optional(),
    /**
     * Attached dynos only: run the command in a terminal of this size (`heroku run bash` from a
     * terminal). Output then comes as one raw stream and stdin goes through the terminal as typed.
     */
    tty: ttySize.optional(),
  }),
  dynoInfo);

/**
 * Starts a pending attached one-off dyno. The caller subscribes to the out and exit subjects first
 * (attachSubjects); when this answers, the dyno reads its stdin from the in subject.
 */
export const AttachDyno = defineRpc('dyno-manager', 'AttachDyno', z.strictObject({ appId: z.uuid(), dynoId: z.string().min(1) }), dynoInfo);

/** What an attached dyno publishes on its exit subject (JSON), after its last output. */
export const attachExit = z.strictObject({ code: z.number().int().nullable(), signal: z.string().nullable() });
export type AttachExit = z.infer<typeof attachExit>;

/**
 * NATS core subjects relaying an attached dyno: `out` carries its raw stdout+stderr bytes, `in` raw
 * stdin bytes (\x04 ends stdin), `exit` one attachExit message once the command ended.
 */
export function attachSubjects(namespace: string, dynoId: string): { out: string; in: string; exit: string } {
  const base = `${namespace}.attach.${dynoId}`;
  return { out: `${base}.out`, in: `${base}.in`, exit: `${base}.exit` };
}
