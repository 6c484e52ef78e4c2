import { PaasError } from '@paas/contracts';
import type { PlanSpec, ServiceSpec } from '../../domain/addon-catalogue.js';
import type { AddonSettings } from '../../config.js';

/** The add-on a provider works on: its id names the resource, so every call is idempotent by it. */
export interface AddonTarget {
  readonly id: string;
  readonly name: string;
  readonly plan: PlanSpec;
}

/** One add-on service: makes, describes and removes the resources of its add-ons. */
export interface AddonProvider {
  /**
   * Makes the resource with `secret` as its password or, when an earlier try made it, sets that
   * password on it; answers the credentials' URL.
   */
  provision(addon: AddonTarget, secret: string): Promise<{ url: string }>;
  /** Removes the resource and its data; a resource that is not there is fine. */
  deprovision(addon: AddonTarget): Promise<void>;
  /** What an operator should set up on the server for tenants to reach it safely, when it is missing (checked at boot). */
  setUpAdvice?(): Promise<string | undefined>;
}

/**
 * A provider module: the service's catalogue entry (data) and how to make its provider. Adding a
 * service is adding one of these to PROVIDER_MODULES.
 */
export interface AddonProviderModule {
  readonly spec: ServiceSpec;
  create(settings: AddonSettings): AddonProvider;
}

/** The add-on server did not answer: a 503 that says what to do, and nothing is left half-made. */
export function serverDown(service: string, where: string, cause: string): PaasError {
  return new PaasError('unavailable', `The ${service} add-on server at ${where} is not reachable (${cause}); nothing was provisioned. Try again when it is up.`);
}

/** host:port of a URL, without its credentials, for messages. */
export function whereOf(url: string): string {
  const u = new URL(url);
  return u.host;
}

const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ECONNRESET|EAI_AGAIN|timeout|Connection is closed|terminated/i;

/** Whether an error means the server did not answer (as opposed to refusing what was asked). */
export function isUnreachable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return UNREACHABLE.test(e.code ?? '') || UNREACHABLE.test(e.message ?? '');
}
