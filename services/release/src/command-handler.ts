import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { ConcurrencyError, conflict } from '@paas/contracts';
import { appStream, EventStore, type StoredEvent } from './adapters/event-store.js';
import { OutboxPublisher } from './adapters/outbox-publisher.js';
import { evolve, initialState, type AppEvent, type AppState } from './domain/app-state.js';
import { decide, type AppCommand } from './domain/decide.js';
import type { ReleaseSettings } from './config.js';
import { SETTINGS } from './tokens.js';

/** What caused a command: a user's request (no causation) or an event such as SlugBuilt. */
export interface Cause {
  readonly causationId?: string | null;
  readonly correlationId?: string;
}

export interface Outcome {
  /** The app after the command. */
  readonly state: AppState;
  /** The events appended; empty when the command changed nothing. */
  readonly events: readonly StoredEvent[];
}

/** Runs commands on apps: load the stream, decide, append at the version decided on. */
@Injectable()
export class CommandHandler {
  /** Per app, the end of the queue of commands running in this process. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly store: EventStore,
    private readonly outbox: OutboxPublisher,
    @Inject(SETTINGS) private readonly settings: ReleaseSettings,
  ) {}

  /**
   * Executes a command; when another writer appended first, reloads and decides again. Commands
   * on one app queue up inside this process, so only writers in other processes can race.
   */
  execute(appId: string, command: AppCommand, cause: Cause = {}): Promise<Outcome> {
    return this.oneAtATime(appId, () => this.tryAppend(appId, command, cause));
  }

  private async tryAppend(appId: string, command: AppCommand, cause: Cause): Promise<Outcome> {
    const meta = { appId, causationId: cause.causationId ?? null, correlationId: cause.correlationId ?? randomUUID() };
    for (let attempt = 1; ; attempt++) {
      const state = await this.load(appId);
      const events = decide(command, state, { newId: randomUUID });
      if (events.length === 0) return { state, events: [] };
      try {
        const stored = await this.store.append(appStream(appId), state.streamVersion, events, meta);
        void this.outbox.kick();
        return { state: events.reduce(evolve, state), events: stored };
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
        if (attempt >= this.settings.commandTries) {
          throw conflict(`The app changed under ${attempt} tries of ${command.type} by other requests at the same moment; nothing was changed, try again.`);
        }
        // A little random wait so racing writers do not collide again in lockstep.
        await delay(Math.random() * 5 * attempt);
      }
    }
  }

  private async oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => { done = resolve; });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      done();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** The app as its stream tells it (app streams hold only the app events this service appends). */
  async load(appId: string): Promise<AppState> {
    const stored = await this.store.readStream(appStream(appId));
    return stored
      .map((s) => ({ type: s.envelope.type, data: s.envelope.data }) as AppEvent)
      .reduce(evolve, initialState(appId));
  }
}
