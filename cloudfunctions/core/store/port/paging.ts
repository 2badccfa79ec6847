/** Keyset paging shared by every listing: opaque cursors, newest first. */

export interface PageRequest {
  /** 1–100 */
  limit: number;
  /** `nextCursor` of the previous page; absent for the first page. */
  cursor?: string;
}
export interface Page<T> {
  items: T[];
  /** Present when there may be more (older) items. Opaque. */
  nextCursor?: string;
}

export const MAX_PAGE_LIMIT = 100;
