import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AppDestroyed, AttachDyno, DomainAdded, DomainRemoved, FormationScaled, GetRuntime, MaintenanceChanged, ListDynos, ReleaseCreated, RestartDynos, RunDyno, StopDynos, type EventOf, type RequestOf } from '@paas/contracts';
import { HandleRpc, OnEvent } from '@paas/messaging';
import { DockerDriver } from './adapters/runtime/docker-driver.js';
import type { RuntimeDriver } from './adapters/runtime/driver.js';
import { Reconciler } from './reconciler.service.js';
import { RUNTIME_DRIVER } from './tokens.js';

/**
 * Every NATS subject the dyno-manager handles. Events only update the desired state and ask
 * for a reconcile (so they are acked at once); the reconcile runs per app in the background.
 */
@Controller()
export class DynoManagerController {
  constructor(private readonly reconciler: Reconciler, @Inject(RUNTIME_DRIVER) private readonly driver: RuntimeDriver) {}

  @OnEvent(ReleaseCreated)
  onReleaseCreated(@Payload() e: EventOf<typeof ReleaseCreated>) { this.reconciler.onReleaseCreated(e); }

  @OnEvent(FormationScaled)
  onFormationScaled(@Payload() e: EventOf<typeof FormationScaled>) { this.reconciler.onFormationScaled(e); }

  @OnEvent(AppDestroyed)
  onAppDestroyed(@Payload() e: EventOf<typeof AppDestroyed>) { this.reconciler.onAppDestroyed(e); }

  @OnEvent(DomainAdded)
  onDomainAdded(@Payload() e: EventOf<typeof DomainAdded>) { this.reconciler.onRoutingEvent(e); }

  @OnEvent(DomainRemoved)
  onDomainRemoved(@Payload() e: EventOf<typeof DomainRemoved>) { this.reconciler.onRoutingEvent(e); }

  @OnEvent(MaintenanceChanged)
  onMaintenanceChanged(@Payload() e: EventOf<typeof MaintenanceChanged>) { this.reconciler.onRoutingEvent(e); }

  @HandleRpc(RestartDynos)
  handleRestartDynos(@Payload() req: RequestOf<typeof RestartDynos>) { return this.reconciler.stopDynos(req, `restart by ${req.by}`); }

  @HandleRpc(StopDynos)
  handleStopDynos(@Payload() req: RequestOf<typeof StopDynos>) { return this.reconciler.stopDynos(req, `stopped by ${req.by}`); }

  @HandleRpc(RunDyno)
  handleRunDyno(@Payload() req: RequestOf<typeof RunDyno>) { return this.reconciler.runOneOff(req); }

  @HandleRpc(AttachDyno)
  handleAttachDyno(@Payload() req: RequestOf<typeof AttachDyno>) { return this.reconciler.attachOneOff(req); }

  @HandleRpc(GetRuntime)
  handleGetRuntime() { return { runtime: this.driver instanceof DockerDriver ? 'docker' as const : 'process' as const }; }

  @HandleRpc(ListDynos)
  handleListDynos(@Payload() req: RequestOf<typeof ListDynos>) { return this.reconciler.listDynos(req.appId); }
}
