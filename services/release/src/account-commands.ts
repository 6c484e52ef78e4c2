import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConcurrencyError, conflict } from '@paas/contracts';
import { accountStream, EventStore, type StoredEvent } from './adapters/event-store.js';
import { decideAccount, evolveAccount, initialAccount, type AccountCommand, type AccountEvent } from './domain/account.js';
import type { ReleaseSettings } from './config.js';
import { SETTINGS } from './tokens.js';

/**
 * Runs commands on accounts: load the `account-<id>` stream, decide, append at the version
 * decided on (retrying when another writer appended first). Account streams get no outbox rows.
 */
@Injectable()
export class AccountCommands {
  constructor(private readonly store: EventStore, @Inject(SETTINGS) private readonly settings: ReleaseSettings) {}

  /** Executes the command; answers with the events appended (none when nothing changed). */
  async execute(accountId: string, command: AccountCommand): Promise<StoredEvent[]> {
    const meta = { appId: accountId, causationId: null, correlationId: randomUUID() };
    for (let attempt = 1; ; attempt++) {
      const stored = await this.store.readStream(accountStream(accountId));
      const state = stored.map((s) => ({ type: s.envelope.type, data: s.envelope.data }) as AccountEvent)
        .reduce(evolveAccount, initialAccount(accountId));
      const events = decideAccount(command, state);
      if (events.length === 0) return [];
      try {
        return await this.store.append(accountStream(accountId), state.streamVersion, events, meta);
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
        if (attempt >= this.settings.commandTries) {
          throw conflict(`The account changed under ${attempt} tries of ${command.type}; nothing was changed, try again.`);
        }
      }
    }
  }
}
