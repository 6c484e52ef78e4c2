import { blobStoreFor } from '@paas/storage';
import { cleanup, freshDataDir } from '@paas/testing';
import { ProcessDriver } from '../src/adapters/runtime/process-driver.js';
import { signalGroup, stopAllProcessDynos } from '../src/adapters/runtime/process-state.js';
import { runtimeContract } from './runtime-contract.js';

runtimeContract('process driver', async () => {
  const dataDir = await freshDataDir('paas-rt-process-');
  return {
    dataDir,
    driver: () => new ProcessDriver({ dataDir, portMin: 20000, portMax: 29999, livenessPollMs: 100 }, blobStoreFor(dataDir)),
    killFromOutside: async (h) => { signalGroup(h.pid, 'SIGKILL'); },
    cleanup: async () => {
      await stopAllProcessDynos(dataDir);
      await cleanup({ dataDir });
    },
  };
});
