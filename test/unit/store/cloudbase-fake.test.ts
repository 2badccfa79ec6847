import { FakeCloudbaseDb } from '../../fakes/cloudbase-fake';
import { openStore } from '../../../cloudfunctions/core/store';
import { describeStoreContract } from './contract';

// One fake database shared by every Store the suite opens, like one cloud environment shared by
// many function instances.
const db = new FakeCloudbaseDb();
describeStoreContract('cloudbase (in-process fake)', { open: async () => openStore({ kind: 'cloudbase', db }) });

describe('cloudbase fake fidelity', () => {
  it('rejects a missing document read, a duplicate add and _id inside set data', async () => {
    const fake = new FakeCloudbaseDb();
    await expect(fake.collection('c').doc('nope').get()).rejects.toThrow(/does not exist/);
    await fake.collection('c').add({ data: { _id: 'a', v: 1 } });
    await expect(fake.collection('c').add({ data: { _id: 'a', v: 2 } })).rejects.toThrow(/duplicate key/);
    await expect(fake.collection('c').doc('a').set({ data: { _id: 'a' } })).rejects.toThrow(/_id/);
    expect((await fake.collection('c').where({ _id: 'a' }).get()).data).toEqual([{ _id: 'a', v: 1 }]);
  });

  it('commits a transaction all or nothing and re-runs the loser of a write conflict', async () => {
    const fake = new FakeCloudbaseDb();
    await fake.collection('c').doc('x').set({ data: { n: 0 } });
    const increment = () =>
      fake.runTransaction(async (tx) => {
        const { data } = await tx.collection('c').doc('x').get();
        await tx.collection('c').doc('x').set({ data: { n: (data.n as number) + 1 } });
        await tx.collection('log').doc(`entry-${data.n as number}`).set({ data: { n: data.n } });
      }, 20);
    await Promise.all(Array.from({ length: 8 }, increment));
    expect((await fake.collection('c').where({ _id: 'x' }).get()).data[0].n).toBe(8);
    expect((await fake.collection('log').get()).data).toHaveLength(8);
    expect(fake.stats.conflicts).toBeGreaterThan(0);

    const failing = fake.runTransaction(async (tx) => {
      await tx.collection('c').doc('x').set({ data: { n: -1 } });
      throw new Error('abort');
    });
    await expect(failing).rejects.toThrow('abort');
    expect((await fake.collection('c').where({ _id: 'x' }).get()).data[0].n).toBe(8);
  });

  it('gives up with a conflict error after the retries', async () => {
    const fake = new FakeCloudbaseDb();
    await fake.collection('c').doc('x').set({ data: { n: 0 } });
    // Someone else writes x between every read and commit.
    const run = fake.runTransaction(async (tx) => {
      await tx.collection('c').doc('x').get();
      await fake.collection('c').doc('x').set({ data: { n: Math.random() } });
      await tx.collection('c').doc('x').set({ data: { n: 1 } });
    }, 2);
    await expect(run).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' });
  });

  it('queries with dotted paths, or(), lt/gt, multi-key order and limits', async () => {
    const fake = new FakeCloudbaseDb();
    for (let i = 0; i < 5; i++) await fake.collection('c').add({ data: { _id: `d${i}`, p: { o: i % 2 ? 'a' : 'b' }, t: Math.floor(i / 2) } });
    const _ = fake.command;
    const got = await fake.collection('c').where(_.or({ 'p.o': 'b', t: _.lt(1) }, { t: 2, _id: _.gt('d3') })).orderBy('t', 'desc').orderBy('_id', 'asc').limit(10).get();
    expect(got.data.map((d) => d._id)).toEqual(['d4', 'd0']);
    expect((await fake.collection('c').orderBy('_id', 'desc').limit(2).get()).data.map((d) => d._id)).toEqual(['d4', 'd3']);
  });
});
