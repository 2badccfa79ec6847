/**
 * One instance of a cloud function in a worker thread of the function host (see instances.ts):
 * the same built bundle, the same local wx-server-sdk and merchant env as the host's own copy,
 * its own store connection. It answers `{ id, event }` messages with `{ id, result }` or
 * `{ id, error }`, running each event as an HTTP trigger runs in the host (no caller).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as localSdk from './wx-server-sdk-local';
import { loadFresh, provideLocalSdk } from './loader';
import { installWriteGate } from '../../cloudfunctions/core/store/sqlite/write-gate';

export interface InstanceWorkerData {
  distDir: string;
  fn: string;
  writeGate: SharedArrayBuffer;
  /** The host's checkpointer thread checkpoints the store (checkpointer.ts). */
  checkpointedElsewhere: boolean;
}

export type InstanceRequest = { id: number; event: unknown };
export type InstanceReply = { id: number; result: unknown } | { id: number; error: string };

const { distDir, fn, writeGate, checkpointedElsewhere } = workerData as InstanceWorkerData;
installWriteGate(writeGate, globalThis, { checkpointedElsewhere });
provideLocalSdk(distDir, localSdk);
const { main } = loadFresh(join(distDir, fn, 'index.js')) as { main: (event: unknown, context: unknown) => unknown };
const port = parentPort!;

port.on('message', ({ id, event }: InstanceRequest) => {
  const context = { function_name: fn, request_id: randomUUID(), environment: 'local' };
  Promise.resolve()
    .then(() => localSdk.runAs(undefined, () => main(event, context)))
    .then(
      (result) => port.postMessage({ id, result } satisfies InstanceReply),
      (error: unknown) => port.postMessage({ id, error: (error as Error)?.stack ?? String(error) } satisfies InstanceReply),
    );
});
port.postMessage('ready');
