/**
 * The CloudBase indexes the adapter's queries need (create them in the console: 数据库 → the
 * collection → 索引管理; https://docs.cloudbase.net/database/data-index — a composite index serves
 * queries on any prefix of its fields, in the declared sort order). Without them each listing
 * scans its collection, and its cost grows with the number of orders. Reads by `_id` need none.
 * The SQLite migrations declare the same indexes (test/unit/store/indexes.test.ts checks both,
 * and that the README's deploy list is this one).
 */
export interface CloudbaseIndex {
  collection: string;
  /** Field paths in order, with their sort direction. */
  fields: ReadonlyArray<readonly [field: string, order: 'asc' | 'desc']>;
  unique?: boolean;
  /** The repository method(s) whose query it serves. */
  serves: string;
}

export const CLOUDBASE_INDEXES: readonly CloudbaseIndex[] = [
  { collection: 'orders', fields: [['payerOpenid', 'asc'], ['createdAt', 'desc'], ['_id', 'desc']], serves: 'listOrdersByPayer (pay.list)' },
  { collection: 'orders', fields: [['payerOpenid', 'asc'], ['idempotencyKey', 'asc']], serves: 'findOrderByIdempotencyKey (pay.create retries)' },
  { collection: 'orders', fields: [['payee.openid', 'asc'], ['createdAt', 'desc'], ['_id', 'desc']], serves: 'listOrdersByPayee' },
  { collection: 'orders', fields: [['state', 'asc'], ['updatedAt', 'asc'], ['_id', 'asc']], serves: 'listOrdersInState (reconcile)' },
  { collection: 'orders', fields: [['combineOutTradeNo', 'asc']], serves: 'getOrderByCombineOutTradeNo (combine notifications)' },
  { collection: 'audit', fields: [['outTradeNo', 'asc'], ['_id', 'asc']], serves: 'listAudit' },
  { collection: 'refunds', fields: [['outTradeNo', 'asc'], ['createdAt', 'asc'], ['_id', 'asc']], serves: 'listRefunds' },
  { collection: 'payees', fields: [['shareCode', 'asc']], serves: 'getPayeeByShareCode' },
  { collection: 'alerts', fields: [['createdAt', 'desc'], ['_id', 'desc']], serves: 'listAlerts (pay.alerts)' },
  { collection: 'payscore_orders', fields: [['state', 'asc'], ['updatedAt', 'asc'], ['_id', 'asc']], serves: 'listPayScoreOrdersInState (reconcile)' },
  { collection: 'orders', fields: [['createdAt', 'desc'], ['_id', 'desc']], serves: 'listAllOrders (merchant console)' },
  { collection: 'orders', fields: [['paidAt', 'asc'], ['_id', 'asc']], serves: 'listOrdersPaidIn (daily statement), sumPayments (merchant console totals)' },
  { collection: 'refunds', fields: [['succeededAt', 'asc']], serves: 'sumRefunds (merchant console totals)' },
  { collection: 'notifications', fields: [['outTradeNo', 'asc']], serves: 'listNotificationsOf (merchant console order detail)' },
];

/** One line per index, as the README's deploy step lists them. */
export function describeCloudbaseIndex(index: CloudbaseIndex): string {
  return `\`${index.collection}\`: ${index.fields.map(([f, o]) => `${f} ${o === 'asc' ? '↑' : '↓'}`).join(', ')}`;
}
