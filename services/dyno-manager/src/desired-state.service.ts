import { Injectable } from '@nestjs/common';
import {
  GetDesiredState, type AppDestroyed, type DomainAdded, type DomainRemoved, type EventOf, type FormationScaled, type MaintenanceChanged, type ReleaseCreated, type Slug,
} from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import {
  applyDestroyed, applyFormation, applyRelease, applyRouting, applySnapshot, type DesiredApp, type DesiredSlug,
} from './domain/desired-state.js';

/** Which event a dyno change follows from, so DynoStateChanged joins the user's action in the log. */
export interface Cause {
  readonly causationId: string | null;
  readonly correlationId?: string;
}

const slugOf = (s: Slug | null): DesiredSlug | null => (s ? { id: s.id, blob: s.blob, processTypes: s.processTypes, ...(s.images ? { images: s.images } : {}) } : null);

/**
 * What every app should run, as the release service (the owner) says: its snapshot at boot
 * and on a timer, and its events in between, applied by version so their order does not matter.
 */
@Injectable()
export class DesiredStateService {
  private readonly apps = new Map<string, DesiredApp>();
  private readonly causes = new Map<string, Cause>();

  constructor(private readonly rpc: RpcClient) {}

  get(appId: string): DesiredApp | undefined {
    return this.apps.get(appId);
  }

  all(): DesiredApp[] {
    return [...this.apps.values()];
  }

  cause(appId: string): Cause {
    return this.causes.get(appId) ?? { causationId: null };
  }

  /** Applies a ReleaseCreated; true when it changed what the app should run. */
  onReleaseCreated(e: EventOf<typeof ReleaseCreated>): boolean {
    const d = e.data;
    return this.keep(e, applyRelease(this.apps.get(e.appId), e.appId, d.appName, { version: d.version, slug: slugOf(d.slug), config: d.config }));
  }

  onFormationScaled(e: EventOf<typeof FormationScaled>): boolean {
    return this.keep(e, applyFormation(this.apps.get(e.appId), e.appId, e.data.appName, e.data.formation, e.streamVersion));
  }

  onAppDestroyed(e: EventOf<typeof AppDestroyed>): boolean {
    return this.keep(e, applyDestroyed(this.apps.get(e.appId), e.appId, e.data.name));
  }

  /** Applies a DomainAdded, DomainRemoved or MaintenanceChanged: what the app's route says besides its dynos. */
  onRoutingEvent(e: EventOf<typeof DomainAdded> | EventOf<typeof DomainRemoved> | EventOf<typeof MaintenanceChanged>): boolean {
    const change = e.type === 'MaintenanceChanged'
      ? { kind: 'maintenance' as const, maintenance: (e as EventOf<typeof MaintenanceChanged>).data.maintenance }
      : { kind: e.type === 'DomainAdded' ? 'domain-added' as const : 'domain-removed' as const, hostname: (e as EventOf<typeof DomainAdded>).data.hostname };
    return this.keep(e, applyRouting(this.apps.get(e.appId), e.appId, e.data.appName, change, e.streamVersion));
  }

  /** Reads the release service's snapshot and merges it; returns the ids of apps that changed. Throws when it does not answer. */
  async refresh(): Promise<string[]> {
    const snapshot = await this.rpc.request(GetDesiredState, {});
    const changed: string[] = [];
    for (const s of snapshot) {
      // The snapshot's release is the newest that did not fail; one whose phase succeeded needs no second run.
      const release = {
        version: s.release.version, slug: slugOf(s.release.slug), config: s.release.config,
        ...(s.release.status === 'succeeded' ? { releasePhaseSucceeded: true } : {}),
      };
      const r = applySnapshot(this.apps.get(s.appId), { ...s, release });
      this.apps.set(s.appId, r.app);
      if (r.changed) changed.push(s.appId);
    }
    return changed;
  }

  private keep(e: { id: string; appId: string; correlationId: string }, r: { app: DesiredApp; changed: boolean }): boolean {
    this.apps.set(e.appId, r.app);
    if (r.changed) this.causes.set(e.appId, { causationId: e.id, correlationId: e.correlationId });
    return r.changed;
  }
}
