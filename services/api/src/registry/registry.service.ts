import { randomUUID } from 'node:crypto';
import { access, constants, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SignJWT } from 'jose';
import { PaasError } from '@paas/contracts';
import type { ApiSettings } from '../config.js';
import type { Access } from '../domain/registry-access.js';
import { registryConfig, tokenClaims, TOKEN_TTL_S, type TokenParty } from '../domain/registry-token.js';
import { SETTINGS } from '../tokens.js';
import { ensureRegistryKeys, type RegistryKeys } from './registry-keys.js';
import { anyFreePort, RegistryProcess } from './registry-process.js';

const PARTY: TokenParty = { issuer: 'paas-api', service: 'paas-registry' };

/**
 * The platform's container registry (Docker distribution, `docker-registry`), run by the api as a
 * supervised child on 127.0.0.1 with token auth: the api signs the tokens (see RegistryAuth).
 */
@Injectable()
export class RegistryService implements OnApplicationShutdown {
  private readonly log = new Logger('registry');
  private process: RegistryProcess | undefined;
  private keys: RegistryKeys | undefined;
  private port = 0;
  /** Why the registry is off (binary missing, port taken), for the 503 of the container endpoints. */
  private offReason = 'it has not started yet';
  private ready = false;
  /** Settles when start() is done either way: requests arriving while the api boots wait for it. */
  private readonly started: Promise<void>;
  private settle!: () => void;
  /** The start under way (it runs in the background of the api's boot), awaited by shutdown. */
  private starting: Promise<void> | undefined;
  private closed = false;

  constructor(@Inject(SETTINGS) private readonly settings: ApiSettings) {
    this.started = new Promise((resolve) => { this.settle = resolve; });
  }

  /**
   * Starts (or finds) the registry, its tokens issued by the api at apiUrl. Without the binary, or
   * when it cannot start, it logs why and stays off: only the container endpoints answer 503.
   */
  start(apiUrl: string): Promise<void> {
    this.starting = this.startOrExplain(apiUrl).finally(() => this.settle());
    return this.starting;
  }

  private async startOrExplain(apiUrl: string): Promise<void> {
    const binary = this.settings.registryBinary;
    if (!(await access(binary, constants.X_OK).then(() => true, () => false))) {
      this.offReason = `${binary} is missing: install the docker-registry package and restart the api`;
      this.log.warn(`${binary} is missing, so the container registry is off (container:push and container:release answer 503): install the docker-registry package`);
      return;
    }
    try {
      await this.startProcess(binary, apiUrl);
    } catch (err) {
      await this.process?.stop();
      this.process = undefined;
      this.offReason = (err as Error).message;
      if (this.closed) return;
      this.log.error(`the container registry is off (container:push and container:release answer 503): ${this.offReason}`);
    }
  }

  private async startProcess(binary: string, apiUrl: string): Promise<void> {
    const { dataDir } = this.settings;
    this.keys = await ensureRegistryKeys(dataDir);
    this.port = this.settings.registryPort || await anyFreePort();
    const configPath = join(this.keys.dir, 'config.yml');
    const config = registryConfig({
      dataDir: join(this.keys.dir, 'data'), port: this.port, realm: `${apiUrl}/registry/token`, party: PARTY, certPath: this.keys.certPath, instanceId: this.keys.instanceId,
    });
    const tmp = `${configPath}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ ...config, http: { ...config.http, secret: this.keys.httpSecret } }, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, configPath);
    // The api may be shutting down already (it started the registry in the background): no child then.
    if (this.closed) throw new Error('the api is stopping');
    this.process = new RegistryProcess({ binary, configPath, port: this.port, instanceId: this.keys.instanceId, log: this.log });
    await this.process.start();
    this.ready = true;
    this.log.log(`container registry on 127.0.0.1:${this.port} (data in ${join(this.keys.dir, 'data')})`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.starting;
    this.settle();
    await this.process?.stop();
  }

  /** host:port of the registry, as image references start; 503 when the registry is off. */
  async host(): Promise<string> {
    await this.requireRunning();
    return `127.0.0.1:${this.port}`;
  }

  /** The registry's base URL, for the api's own calls. */
  async url(): Promise<string> {
    return `http://${await this.host()}`;
  }

  /** The password that grants pull-only access (the dyno-manager's). */
  async pullSecret(): Promise<string> {
    await this.requireRunning();
    return this.keys!.pullSecret;
  }

  /** A signed registry token (RS256, kid = the libtrust id of the key in the registry's rootcertbundle). */
  async token(subject: string, granted: readonly Access[]): Promise<{ token: string; access_token: string; expires_in: number; issued_at: string }> {
    await this.requireRunning();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT(tokenClaims(PARTY, subject, granted, now, randomUUID()))
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.keys!.keyId })
      .sign(this.keys!.signingKey);
    return { token, access_token: token, expires_in: TOKEN_TTL_S, issued_at: new Date(now * 1000).toISOString() };
  }

  /** Whether the registry runs here (once start() is done either way). */
  async running(): Promise<boolean> {
    await this.started;
    return this.ready;
  }

  private async requireRunning(): Promise<void> {
    await this.started;
    if (!this.ready) throw new PaasError('unavailable', `The container registry is not running: ${this.offReason}.`);
  }
}
