/**
 * What every repository contract shares: how a suite opens (and closes) its subject, unique ids
 * for a shared real environment, and small assertions.
 */
import type { AuditEvent, Order } from '../../../../cloudfunctions/core/domain/orders/model';
import type { OrderEvent } from '../../../../cloudfunctions/core/domain/orders/state-machine';
import { transition } from '../../../../cloudfunctions/core/domain/orders/state-machine';
import { newOutTradeNo } from '../../../../cloudfunctions/core/domain/orders/out-trade-no';
import { StoreError } from '../../../../cloudfunctions/core/store/port';

export interface Closable {
  close(): Promise<void>;
}

/** A repository under test, on the shared backing storage of one adapter. */
export interface RepositorySubject<R> {
  /** A repository on the shared backing storage; each call may be a new connection/instance. */
  open(): Promise<R & Closable>;
  /** Generous for real networks. */
  timeoutMs?: number;
}

export interface CasAttempt {
  next: Order;
  expectedVersion: number;
  audit: AuditEvent;
}

/**
 * Opens repositories for one suite and closes them all after it; `current()` is the one opened
 * first (in `beforeAll`).
 */
export function suiteRepositories<R>(subject: RepositorySubject<R>): { current(): R; open(): Promise<R & Closable> } {
  let first: (R & Closable) | undefined;
  const opened: Closable[] = [];
  const open = async () => {
    const repository = await subject.open();
    opened.push(repository);
    return repository;
  };
  if (subject.timeoutMs) jest.setTimeout(subject.timeoutMs);
  beforeAll(async () => {
    first = await open();
  });
  afterAll(async () => {
    await Promise.all(opened.map((r) => r.close()));
  });
  return {
    current: () => {
      if (!first) throw new Error('test setup: repository not opened yet');
      return first;
    },
    open,
  };
}

/** A unique-per-run tag, so a shared real environment never sees the same ids twice. */
const RUN = newOutTradeNo().slice(-8);
let counter = 0;
export const uniq = (label: string) => `${label}-${RUN}-${++counter}`;
/** How many ids `uniq` has handed out (spreads time windows of listings apart). */
export const uniqCount = () => counter;

export const payer = () => uniq('o-payer');

/** A valid compare-and-set attempt, produced by the state machine (never hand-assembled). */
export function applied(order: Order, event: OrderEvent, now: number, actor: AuditEvent['actor'] = 'notify'): CasAttempt {
  const result = transition(order, event, now, actor);
  if (result.kind !== 'applied') throw new Error(`test setup: ${event.type} not applied: ${JSON.stringify(result)}`);
  return { next: result.next, expectedVersion: order.version, audit: result.audit };
}

export async function expectStoreError(promise: Promise<unknown>, code: StoreError['code'], field?: StoreError['field']): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(code);
  if (field) expect((error as StoreError).field).toBe(field);
}

export function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
