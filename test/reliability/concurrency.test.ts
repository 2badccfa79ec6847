/**
 * The store's compare-and-set under 50 concurrent writers per record, for every aggregate that
 * changes (orders with their audit entry, refunds, payees, PayScore service orders with their
 * history, alert acknowledgements), on SQLite (each writer its own
 * connection to one file) and on the CloudBase adapter's contract (the test double of
 * test/fakes/cloudbase-fake.ts, each writer its own Store over one database). All writers hold
 * the same version: exactly one wins, its record is what is stored, the others change nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRefundRecord } from '../../cloudfunctions/core/domain/orders/model';
import { newAlertRecord } from '../../cloudfunctions/core/domain/orders/alerts';
import { transitionPayScore } from '../../cloudfunctions/core/domain/payscore/state-machine';
import { openStore, type Store } from '../../cloudfunctions/core/store';
import { openSqliteStore } from '../../cloudfunctions/core/store/sqlite/store';
import { FakeCloudbaseDb } from '../fakes/cloudbase-fake';
import { T0, freshOrder } from '../unit/domain/orders/fixtures';
import { freshPayScoreOrder } from '../unit/domain/payscore/fixtures';
import { applied, payer, uniq } from '../unit/store/contract/helpers';
import { finish, Tally } from './report';
import { SIZE } from './size';

jest.setTimeout(300_000);

interface Adapter {
  name: string;
  /** `n` independent Stores over the same data. */
  open(n: number): Promise<{ stores: Store[]; close(): Promise<void> }>;
}

const ADAPTERS: Adapter[] = [
  {
    name: 'sqlite',
    open: async (n) => {
      const dir = mkdtempSync(join(tmpdir(), 'cas-'));
      const stores = Array.from({ length: n }, () => openSqliteStore(join(dir, 'store.sqlite')));
      return { stores, close: async () => (await Promise.all(stores.map((s) => s.close())), rmSync(dir, { recursive: true, force: true })) };
    },
  },
  {
    name: 'cloudbase contract (fake)',
    open: async (n) => {
      const db = new FakeCloudbaseDb();
      const stores = Array.from({ length: n }, () => openStore({ kind: 'cloudbase', db }));
      return { stores, close: async () => void (await Promise.all(stores.map((s) => s.close()))) };
    },
  },
];

/** One aggregate: make a record, then `n` different next versions of it, write them all at once, read it back. */
interface Aggregate {
  name: string;
  race(stores: Store[]): Promise<{ results: boolean[]; stored: unknown; winners: unknown[]; extra?: string }>;
}

const AGGREGATES: Aggregate[] = [
  {
    name: 'order',
    race: async (stores) => {
      const order = freshOrder({ payerOpenid: payer() });
      await stores[0].insertOrder(order);
      const attempts = stores.map((_, i) => applied(order, { type: 'PREPAY_CREATED', prepayId: `wx-race-${i}` }, T0 + 1000 + i, 'user'));
      const results = await Promise.all(attempts.map((a, i) => stores[i].updateOrder(a.next, a.expectedVersion, a.audit)));
      const audit = await stores[0].listAudit(order.outTradeNo);
      const winner = attempts[results.indexOf(true)];
      return {
        results,
        stored: await stores[0].getOrder(order.outTradeNo),
        winners: attempts.filter((_, i) => results[i]).map((a) => a.next),
        extra: audit.length !== 2 || JSON.stringify(audit[1]) !== JSON.stringify(winner?.audit) ? `audit trail has ${audit.length} entries, not creation + the winner's` : undefined,
      };
    },
  },
  {
    name: 'refund',
    race: async (stores) => {
      const refund = newRefundRecord({ outRefundNo: uniq('R'), outTradeNo: uniq('O'), amount: 30 }, T0);
      await stores[0].insertRefund(refund);
      const nexts = stores.map((_, i) => ({ ...refund, state: (i % 2 ? 'SUCCESS' : 'CLOSED') as 'SUCCESS' | 'CLOSED', refundId: `5030${i}`, version: 2, updatedAt: T0 + i }));
      const results = await Promise.all(nexts.map((next, i) => stores[i].updateRefund(next, 1)));
      return { results, stored: await stores[0].getRefund(refund.outRefundNo), winners: nexts.filter((_, i) => results[i]) };
    },
  },
  {
    name: 'payee',
    race: async (stores) => {
      const openid = payer();
      const payee = { openid, displayName: 'first', shareCode: uniq('').replace(/[^A-Z2-9]/g, '').padEnd(10, 'A').slice(0, 10), authState: 'UNAUTHORIZED' as const, checkedAt: T0, version: 1 };
      if (!(await stores[0].upsertPayee(payee))) throw new Error('setup: payee not created');
      const nexts = stores.map((_, i) => ({ ...payee, displayName: `writer ${i}`, checkedAt: T0 + i, version: 2 }));
      const results = await Promise.all(nexts.map((next, i) => stores[i].upsertPayee(next)));
      return { results, stored: await stores[0].getPayee(openid), winners: nexts.filter((_, i) => results[i]) };
    },
  },
  {
    // The history is part of the record: the winner's entry is the only one appended.
    name: 'payscore order',
    race: async (stores) => {
      const order = freshPayScoreOrder({ outOrderNo: uniq('PS').replace(/-/g, '_').slice(0, 32) });
      await stores[0].insertPayScoreOrder(order);
      const nexts = stores.map((_, i) => {
        const d = i % 2 ? transitionPayScore(order, { type: 'CONFIRMED' }, T0 + 1000 + i, 'notify') : transitionPayScore(order, { type: 'CANCELLED', reason: `writer ${i}` }, T0 + 1000 + i, 'user');
        if (d.kind !== 'applied') throw new Error(`setup: writer ${i} ${d.kind}`);
        return d.next;
      });
      const results = await Promise.all(nexts.map((next, i) => stores[i].updatePayScoreOrder(next, 1)));
      const stored = await stores[0].getPayScoreOrder(order.outOrderNo);
      return { results, stored, winners: nexts.filter((_, i) => results[i]), extra: stored && stored.history.length !== 2 ? `history has ${stored.history.length} entries, not creation + the winner's` : undefined };
    },
  },
  {
    // Acknowledgement is a compare-and-set on "not yet acknowledged": one stamp wins, the others see it.
    name: 'alert (acknowledge)',
    race: async (stores) => {
      const alert = newAlertRecord({ kind: 'PAID_AFTER_CLOSE', outTradeNo: uniq('O'), transactionId: uniq('4200'), amount: 100, message: 'paid after close' }, T0);
      if (!(await stores[0].insertAlert(alert))) throw new Error('setup: alert not created');
      const outcomes = await Promise.all(stores.map((s, i) => s.acknowledgeAlert(alert.id, T0 + 1000 + i)));
      const results = outcomes.map((o) => o.kind === 'acknowledged');
      const winners = outcomes.flatMap((o) => (o.kind === 'acknowledged' ? [o.alert] : []));
      const stored = (await stores[0].listAlerts({ limit: 100 })).items.find((a) => a.id === alert.id);
      const losersSawOther = outcomes.filter((o) => o.kind === 'alreadyAcknowledged' && JSON.stringify(o.alert) !== JSON.stringify(winners[0])).length;
      const notFound = outcomes.filter((o) => o.kind === 'notFound').length;
      return { results, stored, winners, extra: losersSawOther || notFound ? `${losersSawOther} losers saw another stamp than the winner's, ${notFound} found nothing` : undefined };
    },
  },
];

describe.each(ADAPTERS.map((a) => [a.name, a] as const))('compare-and-set on %s', (adapterName, adapter) => {
  it.each(AGGREGATES.map((g) => [g.name, g] as const))(`${SIZE.casWriters} concurrent writers per %s: exactly one wins, nothing else written`, async (aggregateName, aggregate) => {
    const tally = new Tally(`CAS ${aggregateName} (${adapterName}, writers)`);
    const { stores, close } = await adapter.open(SIZE.casWriters);
    try {
      for (let round = 0; round < SIZE.casRounds; round++) {
        const { results, stored, winners, extra } = await aggregate.race(stores);
        const won = results.filter(Boolean).length;
        results.forEach((r) => (r ? tally.accepted() : tally.refused()));
        if (won !== 1) tally.unexpected(`round ${round}: ${won} writers won`);
        else if (JSON.stringify(stored) !== JSON.stringify(winners[0])) tally.lost(`round ${round}: the stored record is not the winner's`);
        if (extra) tally.unexpected(`round ${round}: ${extra}`);
      }
    } finally {
      await close();
    }
    finish(tally);
  });
});
