import { AccountCreated } from './account-created.js';
import { AddonAttached } from './addon-attached.js';
import { AddonCreated } from './addon-created.js';
import { AddonDeprovisioned } from './addon-deprovisioned.js';
import { AddonDetached } from './addon-detached.js';
import { AddonProvisioned } from './addon-provisioned.js';
import { ApiTokenIssued } from './api-token-issued.js';
import { ApiTokenRevoked } from './api-token-revoked.js';
import { AppCreated } from './app-created.js';
import { AppDestroyed } from './app-destroyed.js';
import { BuildFailed } from './build-failed.js';
import { BuildStarted } from './build-started.js';
import { CollaboratorAdded } from './collaborator-added.js';
import { CollaboratorRemoved } from './collaborator-removed.js';
import { ConfigVarsChanged } from './config-vars-changed.js';
import { DomainAdded } from './domain-added.js';
import { DomainRemoved } from './domain-removed.js';
import { DynoStateChanged } from './dyno-state-changed.js';
import { FormationScaled } from './formation-scaled.js';
import { LogDrainAdded } from './log-drain-added.js';
import { LogDrainRemoved } from './log-drain-removed.js';
import { MaintenanceChanged } from './maintenance-changed.js';
import { ReleaseCreated } from './release-created.js';
import { ReleasePhaseFinished } from './release-phase-finished.js';
import { ReleaseStatusChanged } from './release-status-changed.js';
import { RepoDeployRequested } from './repo-deploy-requested.js';
import { RepoLinked } from './repo-linked.js';
import { RepoUnlinked } from './repo-unlinked.js';
import { SlugBuilt } from './slug-built.js';
import { SourcePushed } from './source-pushed.js';
import type { EventOf } from '../envelope.js';

export {
  LogDrainAdded, LogDrainRemoved,
  AddonAttached, AddonCreated, AddonDeprovisioned, AddonDetached, AddonProvisioned,
  AccountCreated, ApiTokenIssued, ApiTokenRevoked, AppCreated, AppDestroyed, BuildFailed, BuildStarted,
  CollaboratorAdded, CollaboratorRemoved, ConfigVarsChanged, DomainAdded, DomainRemoved, DynoStateChanged,
  FormationScaled, MaintenanceChanged, ReleaseCreated, SlugBuilt, SourcePushed,
  ReleasePhaseFinished, ReleaseStatusChanged,
  RepoLinked, RepoUnlinked, RepoDeployRequested,
};

/** Every event contract, by type name. */
export const Events = {
  LogDrainAdded, LogDrainRemoved,
  AddonAttached, AddonCreated, AddonDeprovisioned, AddonDetached, AddonProvisioned,
  AccountCreated, ApiTokenIssued, ApiTokenRevoked, AppCreated, AppDestroyed, BuildFailed, BuildStarted,
  CollaboratorAdded, CollaboratorRemoved, ConfigVarsChanged, DomainAdded, DomainRemoved,
  DynoStateChanged, FormationScaled, MaintenanceChanged, ReleaseCreated, SlugBuilt, SourcePushed,
  ReleasePhaseFinished, ReleaseStatusChanged,
  RepoLinked, RepoUnlinked, RepoDeployRequested,
} as const;
export type EventType = keyof typeof Events;
export type AnyEvent = { [K in EventType]: EventOf<(typeof Events)[K]> }[EventType];
export type EventByType<K extends EventType> = EventOf<(typeof Events)[K]>;
