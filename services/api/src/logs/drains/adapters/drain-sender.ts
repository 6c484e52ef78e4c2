import type { LogLine } from '@paas/contracts';

/** Delivers batches to one drain; a rejection means "try again later" unless it is a RefusedBatch. */
export interface DrainSender {
  /** Resolves once the drain has the batch; `frameId` stays the same across tries of one batch. */
  send(lines: readonly LogLine[], frameId: string): Promise<void>;
  close(): void;
}

/** The drain answered that this batch will never be accepted (HTTP 4xx): trying again is pointless. */
export class RefusedBatch extends Error {}
