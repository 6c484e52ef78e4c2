import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import { drainTarget, ListAllLogDrains, parseLogLines, type AppLogDrain, type LogLine, type Names } from '@paas/contracts';
import { NAMES, NATS_CONNECTION, RpcClient, type NatsConnection } from '@paas/messaging';
import type { ApiSettings } from '../../config.js';
import { drainAddressTarget, AddressGuard } from '../../net/address-guard.js';
import { SETTINGS } from '../../tokens.js';
import type { DrainSender } from './adapters/drain-sender.js';
import { HttpsSender } from './adapters/https-sender.js';
import { SyslogSender } from './adapters/syslog-sender.js';
import { DrainOutlet } from './drain-outlet.js';

/** The durable consumer every api process shares: each line is handed to one of them. */
const CONSUMER = 'api-log-drains';
/** Drain changes arrive as bursts of events; one reload serves a burst. */
const RELOAD_DEBOUNCE_MS = 100;

/**
 * Forwards app logs to their drains. All api processes pull from one durable consumer on the logs
 * stream, so each line goes out once however many processes run; each process keeps one outlet
 * (buffer and connection) per drain. The drain list comes from the release service at start,
 * again on every drain change or app destroyed (core NATS, so every process hears it), and on a timer.
 */
@Injectable()
export class DrainDelivery implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('log-drains');
  private readonly outlets = new Map<string, DrainOutlet>();
  private byApp = new Map<string, DrainOutlet[]>();
  private messages: ConsumerMessages | undefined;
  private readonly subs: Subscription[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readFailing = false;
  private consuming: Promise<void> | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NAMES) private readonly names: Names,
    @Inject(SETTINGS) private readonly settings: ApiSettings,
    private readonly rpc: RpcClient,
    private readonly addresses: AddressGuard,
  ) {}

  /** Ids of the drains this process delivers to now. */
  get drainIds(): string[] {
    return [...this.outlets.keys()];
  }

  onApplicationBootstrap(): void {
    // Boot does not wait for the release service: delivery starts once the drain list is known.
    void this.start().catch((err: Error) => {
      if (!this.stopped) this.log.error(`log drain delivery stopped: ${err.message}; lines are not forwarded to drains until the api restarts`);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.reloadTimer);
    for (const s of this.subs) s.unsubscribe();
    await this.messages?.close().catch(() => undefined);
    // Only the consumer loop is waited for; a drain list read still under way ends with the connection.
    await this.consuming?.catch(() => undefined);
    for (const o of this.outlets.values()) o.close();
    this.outlets.clear();
  }

  private async start(): Promise<void> {
    for (const type of ['LogDrainAdded', 'LogDrainRemoved', 'AppDestroyed']) {
      this.subs.push(this.nc.subscribe(this.names.eventFilter(type), { callback: () => this.reloadSoon() }));
    }
    while (!this.stopped && !(await this.reload())) {
      await new Promise((r) => setTimeout(r, this.settings.drains.retryMs));
    }
    if (this.stopped) return;
    this.timer = setInterval(() => void this.reload(), this.settings.drains.resyncMs);
    this.consuming = this.consume();
    await this.consuming;
  }

  private reloadSoon(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reload(), RELOAD_DEBOUNCE_MS);
  }

  /** Reads every drain and opens or closes outlets to match; false when the release service did not answer. */
  private async reload(): Promise<boolean> {
    let drains: AppLogDrain[];
    try {
      drains = await this.rpc.request(ListAllLogDrains, {});
    } catch (err) {
      if (!this.stopped && !this.readFailing) {
        this.log.warn(`cannot read the log drains (${(err as Error).message}); keeping the drains known so far and trying again`);
      }
      this.readFailing = true;
      return false;
    }
    this.readFailing = false;
    if (this.stopped) return true;
    const wanted = new Map(drains.map((d) => [d.id, d]));
    for (const [id, outlet] of this.outlets) {
      if (!wanted.has(id)) {
        outlet.close();
        this.outlets.delete(id);
      }
    }
    for (const d of drains) {
      if (this.outlets.has(d.id)) continue;
      try {
        this.outlets.set(d.id, new DrainOutlet(d, this.senderFor(d), this.settings.drains, (line) => this.writeToAppLog(d.appId, line)));
      } catch (err) {
        this.log.warn(`drain ${d.id} of ${d.appName} has a URL we cannot deliver to (${(err as Error).message}); skipping it`);
      }
    }
    const byApp = new Map<string, DrainOutlet[]>();
    for (const o of this.outlets.values()) byApp.set(o.drain.appId, [...(byApp.get(o.drain.appId) ?? []), o]);
    this.byApp = byApp;
    return true;
  }

  /** A line of the platform's about a drain, into the app's log (best effort, like every log writer). */
  private writeToAppLog(appId: string, line: LogLine): void {
    try {
      this.nc.publish(this.names.logSubject(appId), JSON.stringify(line));
    } catch {
      // The warning in our own log says the same.
    }
  }

  private senderFor(d: AppLogDrain): DrainSender {
    const target = drainTarget(d.url);
    const { timeoutMs } = this.settings.drains;
    // Checked again at each connection (a name may resolve elsewhere by then); a refusal is a failed send, tried again later.
    const pin = async () => (await this.addresses.checkDrain(new URL(d.url), drainAddressTarget(target))).address;
    return target.transport === 'https' ? new HttpsSender(target, d.token, timeoutMs, pin) : new SyslogSender(target, d.token, timeoutMs, pin);
  }

  /** Hands every new line of every app to that app's outlets; handing over never waits on a drain. */
  private async consume(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const stream = this.names.logsStream;
    await jsm.consumers.info(stream, CONSUMER).catch(() => jsm.consumers.add(stream, {
      durable_name: CONSUMER, filter_subject: `${this.names.namespace}.logs.>`,
      ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, ack_wait: 30_000 * 1e6,
    })).catch((err: Error) => {
      if (!/already (in use|exists)/i.test(err.message)) throw err;
    });
    const consumer = await jetstream(this.nc).consumers.get(stream, CONSUMER);
    this.messages = await consumer.consume({ max_messages: 256, expires: 5_000 });
    if (this.stopped) await this.messages.close();
    const prefix = `${this.names.namespace}.logs.`;
    for await (const m of this.messages) {
      const outlets = this.byApp.get(m.subject.slice(prefix.length));
      if (outlets) {
        for (const line of parseLogLines(m.string())) for (const o of outlets) o.push(line);
      }
      m.ack();
    }
  }
}
