/**
 * A list read a page at a time by cursor (`pay.list`, `admin.orders`), newest first: `reload()`
 * starts from the top, `loadMore()` asks for the page after the last one shown (once: a second
 * scroll event while a page is in flight, or one after the last page, asks nothing), `retry()`
 * repeats what failed. Every reload starts a new generation: an answer of an older generation
 * (a reload or a filter change happened meanwhile) is dropped, so an old answer never lands on a
 * fresh list. The page keeps what it shows; this keeps the cursor, the generation and the call
 * in flight, which are not rendered.
 *
 * Shared by pages/orders (main package) and pages/admin/orders (admin subpackage): it lives in the
 * main package, the only place both may require it from.
 */
import type { ApiError, ApiResult } from '../../typings/api';
import { messageForCode } from './error-messages';

export interface ListPage<T> {
  items: T[];
  /** Absent on the last page. */
  nextCursor?: string;
}

/** What the page shows of the list, as a `setData` change. */
export interface ListChange<T> {
  /** Present when the shown items change (a fresh first page, or a page appended). */
  items?: T[];
  loading: boolean;
  error: string;
  finished?: boolean;
  /** The failed answer, for page-specific display (e.g. an admin page's "forbidden"). */
  failure?: ApiError;
}

export interface PagedListOptions<T> {
  /** One page: the first when `cursor` is undefined. */
  fetch(cursor: string | undefined): Promise<ApiResult<ListPage<T>>>;
  /** The items the page shows now (a loaded page is appended to them). */
  shown(): readonly T[];
  /** Show a change (the page's `setData`, under its own key for the items). */
  show(change: ListChange<T>): void;
  /** Empty the list as a reload starts (a filter changed: the old rows no longer match) instead of keeping it until the answer. */
  clearOnReload?: boolean;
}

export interface PagedList {
  reload(): Promise<void>;
  loadMore(): Promise<void>;
  /** After an error: from the top when nothing is shown, else the next page. */
  retry(): Promise<void>;
}

export function pagedList<T>(options: PagedListOptions<T>): PagedList {
  let generation = 0;
  let cursor: string | undefined;
  let inFlight = false;
  let finished = false;

  async function fetchPage(fromTop: boolean): Promise<void> {
    const mine = generation;
    inFlight = true;
    options.show({ loading: true, error: '', ...(fromTop && options.clearOnReload ? { items: [], finished: false } : {}) });
    const res = await options.fetch(fromTop ? undefined : cursor);
    if (mine !== generation) return; // a reload started meanwhile
    inFlight = false;
    if (!res.ok) {
      options.show({ loading: false, error: messageForCode(res.code), failure: res });
      return;
    }
    cursor = res.data.nextCursor;
    finished = !res.data.nextCursor;
    const items = fromTop ? res.data.items : [...options.shown(), ...res.data.items];
    options.show({ items, loading: false, error: '', finished });
  }

  const list: PagedList = {
    async reload() {
      generation++;
      cursor = undefined;
      inFlight = false;
      finished = false;
      await fetchPage(true);
    },
    async loadMore() {
      if (inFlight || finished || !cursor) return;
      await fetchPage(false);
    },
    retry() {
      return options.shown().length === 0 ? list.reload() : list.loadMore();
    },
  };
  return list;
}
