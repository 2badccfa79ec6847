/**
 * Page sizes and the cursor codec shared by every adapter's listings. A cursor names the listing
 * it belongs to and the position after the last item of a newest-first page.
 */
import type { Alert } from '../domain/orders/alerts';
import type { Order } from '../domain/orders/model';
import type { Page, PageRequest } from './port';
import { MAX_PAGE_LIMIT, StoreError } from './port';

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new StoreError('INVALID_RECORD', `limit must be an integer 1-${MAX_PAGE_LIMIT}, got ${limit}`);
  }
  return limit;
}

/** Position after the last item of a newest-first page. */
export interface ListPosition {
  createdAt: number;
  outTradeNo: string;
}

/** Cursors name the listing they belong to, so a payer cursor cannot page a payee listing. */
export function encodeCursor(listing: string, position: ListPosition): string {
  return Buffer.from(JSON.stringify([listing, position.createdAt, position.outTradeNo])).toString('base64url');
}

export function decodeCursor(listing: string, page: PageRequest): ListPosition | undefined {
  if (page.cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3 && value[0] === listing && Number.isSafeInteger(value[1]) && typeof value[2] === 'string') {
      return { createdAt: value[1], outTradeNo: value[2] };
    }
  } catch {
    // fall through: any undecodable cursor is the same client error
  }
  throw new StoreError('INVALID_CURSOR', 'cursor is not valid for this listing');
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says whether more exist. */
export function toPage(listing: string, rows: Order[], limit: number): Page<Order> {
  const items = rows.slice(0, limit);
  if (rows.length <= limit) return { items };
  const last = items[items.length - 1];
  return { items, nextCursor: encodeCursor(listing, { createdAt: last.createdAt, outTradeNo: last.outTradeNo }) };
}

/** The alerts listing reuses the order cursor codec: (createdAt, id) in place of (createdAt, outTradeNo). */
export const ALERTS_LISTING = 'alerts';

/** Builds a page of alerts from `limit + 1` fetched rows. */
export function toAlertPage(rows: Alert[], limit: number): Page<Alert> {
  const items = rows.slice(0, limit);
  if (rows.length <= limit) return { items };
  const last = items[items.length - 1];
  return { items, nextCursor: encodeCursor(ALERTS_LISTING, { createdAt: last.createdAt, outTradeNo: last.id }) };
}

/**
 * The admin listing of every order: its cursor names the filter it was issued for, so a cursor
 * carried over to other filters is refused instead of paging a listing it never belonged to.
 */
export function allOrdersListing(filter: { state?: string; channel?: string; createdFrom?: number; createdBefore?: number }): string {
  return ['all', filter.state ?? '', filter.channel ?? '', filter.createdFrom ?? '', filter.createdBefore ?? ''].join(':');
}
