/**
 * Several instances of one HTTP-trigger function, each in a worker thread of the host — as
 * WeChat cloud runs several instances of a busy function side by side, sharing nothing but the
 * store. The host's thread keeps the HTTP work (parsing, the event, the reply); the instances run
 * the bundle (verification, decryption, the domain, the store), so both cores serve notifications
 * (issue 16). Events go to the instance with the fewest in flight.
 *
 * Every SQLite connection of the process — the host thread's functions and every instance —
 * writes through one write gate (store/sqlite/write-gate.ts): the instances' store connections
 * never meet SQLite's sleeping busy handler among themselves.
 */
import type { Worker } from 'node:worker_threads';
import { hostWorker } from './ts-worker';
import type { InstanceReply, InstanceWorkerData } from './instance-worker';
import { releaseWriteGateOf } from '../../cloudfunctions/core/store/sqlite/write-gate';

export interface FunctionInstances {
  /** Events each running instance has answered. */
  handled(): number[];
  invoke(event: unknown): Promise<unknown>;
  close(): Promise<void>;
}

interface Instance {
  worker: Worker;
  inFlight: number;
  handled: number;
}

export async function startFunctionInstances(opts: { distDir: string; fn: string; count: number; writeGate: SharedArrayBuffer; checkpointedElsewhere: boolean; log: (line: string) => void }): Promise<FunctionInstances> {
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void; instance: Instance }>();
  let nextId = 1;
  let turn = 0;
  let closing = false;
  const instances: Instance[] = [];
  const start = (): Promise<Instance> =>
    new Promise((ready, failed) => {
      const workerData: InstanceWorkerData = { distDir: opts.distDir, fn: opts.fn, writeGate: opts.writeGate, checkpointedElsewhere: opts.checkpointedElsewhere };
      const worker = hostWorker(__dirname, 'instance-worker', { workerData, env: process.env });
      const instance: Instance = { worker, inFlight: 0, handled: 0 };
      const threadId = worker.threadId;
      worker.once('error', failed);
      worker.on('message', (message: InstanceReply | 'ready') => {
        if (message === 'ready') {
          worker.off('error', failed);
          worker.on('error', (error) => opts.log(`instance of ${opts.fn} failed: ${error.stack ?? String(error)}`));
          return ready(instance);
        }
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        instance.inFlight--;
        instance.handled++;
        if ('error' in message) call.fail(new Error(message.error));
        else call.ok(message.result);
      });
      worker.on('exit', (code) => {
        // Died in the middle of a write: free the gate, or every writer of the process would wait forever.
        if (releaseWriteGateOf(opts.writeGate, threadId)) opts.log(`instance of ${opts.fn} exited holding the store's write gate; released`);
        for (const [id, call] of pending) {
          if (call.instance !== instance) continue;
          pending.delete(id);
          call.fail(new Error(closing ? `the host is closing: instance of ${opts.fn} stopped with the event in flight` : `instance of ${opts.fn} exited (${code}) with the event in flight`));
        }
        const at = instances.indexOf(instance);
        if (at >= 0) instances.splice(at, 1);
        if (closing) return;
        // As the cloud starts a new instance when one dies: the events in flight on it failed (the
        // gateway retries them), the next ones find a fresh instance.
        opts.log(`instance of ${opts.fn} exited with code ${code}; starting another`);
        start().then(
          (fresh) => (closing ? void fresh.worker.terminate() : void instances.push(fresh)),
          (error: unknown) => opts.log(`instance of ${opts.fn} could not be restarted: ${(error as Error).stack ?? String(error)}`),
        );
      });
    });
  instances.push(...(await Promise.all(Array.from({ length: opts.count }, start))));
  return {
    handled: () => instances.map((i) => i.handled),
    invoke(event) {
      // The fewest in flight; among equals, taking turns (so both stay warm at low load).
      let instance: Instance | undefined;
      for (let k = 0; k < instances.length; k++) {
        const candidate = instances[(turn + k) % instances.length]!;
        if (!instance || candidate.inFlight < instance.inFlight) instance = candidate;
      }
      turn++;
      if (!instance) return Promise.reject(new Error(`no instance of ${opts.fn} is running`));
      const id = nextId++;
      instance.inFlight++;
      return new Promise((ok, fail) => {
        pending.set(id, { ok, fail, instance });
        instance.worker.postMessage({ id, event });
      });
    },
    async close() {
      closing = true;
      await Promise.all(instances.map((i) => i.worker.terminate()));
    },
  };
}
