/**
 * utils/paged-list.ts, the paging pages/orders and pages/admin/orders share: cursors, one page in
 * flight at a time, the end of the list, stale answers after a reload dropped, errors and retry.
 * Driven with answers the test releases one by one, so every interleaving is explicit.
 */
import type { ApiError, ApiResult } from '../../../typings/api';
import { pagedList, type ListChange, type ListPage, type PagedListOptions } from '../../../miniprogram/utils/paged-list';

interface Pending {
  cursor: string | undefined;
  answer(result: ApiResult<ListPage<string>>): Promise<void>;
}

/** A page's side of the list: what it shows, every change it was asked to show, every fetch. */
function harness(opts: Partial<PagedListOptions<string>> = {}) {
  let shown: string[] = [];
  const changes: Array<ListChange<string>> = [];
  const fetches: Pending[] = [];
  const list = pagedList<string>({
    fetch: (cursor) =>
      new Promise((resolve) => {
        fetches.push({
          cursor,
          answer: async (result) => {
            resolve(result);
            await new Promise((r) => setImmediate(r)); // let the list apply it
          },
        });
      }),
    shown: () => shown,
    show: (change) => {
      changes.push(change);
      if (change.items) shown = change.items;
    },
    ...opts,
  });
  return { list, fetches, changes, shown: () => shown, last: () => changes[changes.length - 1] };
}

const page = (items: string[], nextCursor?: string): ApiResult<ListPage<string>> => ({ ok: true, data: { items, ...(nextCursor ? { nextCursor } : {}) } });
const failure: ApiError = { ok: false, code: 'FORBIDDEN', message: 'admins only', retryable: false };

it('loads the first page, then the next by its cursor, once per scroll however many events, and stops at the last', async () => {
  const h = harness();
  void h.list.reload();
  expect(h.last()).toEqual({ loading: true, error: '' });
  await h.fetches[0].answer(page(['a', 'b'], 'c1'));
  expect(h.last()).toEqual({ items: ['a', 'b'], loading: false, error: '', finished: false });

  void h.list.loadMore();
  void h.list.loadMore(); // a second reach-bottom while the page is in flight
  expect(h.fetches.map((f) => f.cursor)).toEqual([undefined, 'c1']);
  await h.fetches[1].answer(page(['c']));
  expect(h.shown()).toEqual(['a', 'b', 'c']);
  expect(h.last().finished).toBe(true);

  await h.list.loadMore(); // past the last page: nothing asked
  expect(h.fetches).toHaveLength(2);
});

it('drops an answer that arrives after a reload started, and shows the reload\'s', async () => {
  const h = harness();
  void h.list.reload();
  await h.fetches[0].answer(page(['a'], 'c1'));
  void h.list.loadMore(); // in flight …
  void h.list.reload(); // … when the user pulls down
  await h.fetches[2].answer(page(['new'], 'n1'));
  await h.fetches[1].answer(page(['stale'])); // the old page's answer comes last
  expect(h.shown()).toEqual(['new']);
  expect(h.last().finished).toBe(false);
  void h.list.loadMore(); // and the cursor is the reload's
  expect(h.fetches[3].cursor).toBe('n1');
});

it('keeps the rows during a reload, or empties them first with clearOnReload (filters changed)', async () => {
  const keep = harness();
  void keep.list.reload();
  await keep.fetches[0].answer(page(['a']));
  void keep.list.reload();
  expect(keep.last()).toEqual({ loading: true, error: '' });
  expect(keep.shown()).toEqual(['a']);

  const clear = harness({ clearOnReload: true });
  void clear.list.reload();
  await clear.fetches[0].answer(page(['a']));
  void clear.list.reload();
  expect(clear.last()).toEqual({ loading: true, error: '', items: [], finished: false });
});

it('shows an error with its message and the failed answer; retry starts over when nothing is shown, else asks for the next page again', async () => {
  const h = harness();
  void h.list.reload();
  await h.fetches[0].answer(failure);
  expect(h.last()).toEqual({ loading: false, error: '无权查看或操作此订单', failure });
  void h.list.retry();
  expect(h.fetches[1].cursor).toBeUndefined();
  await h.fetches[1].answer(page(['a'], 'c1'));

  void h.list.loadMore();
  await h.fetches[2].answer({ ok: false, code: 'INTERNAL', message: 'db down', retryable: true });
  expect(h.shown()).toEqual(['a']); // the rows stay
  void h.list.retry();
  expect(h.fetches[3].cursor).toBe('c1');
  await h.fetches[3].answer(page(['b']));
  expect(h.shown()).toEqual(['a', 'b']);
  expect(h.last()).toMatchObject({ error: '', finished: true });
});
