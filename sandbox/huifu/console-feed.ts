import { RequestLog, type RequestEntry } from '../common/request-log';
import { NOTIFICATION_EFFECTS, type ArmedFault } from '../gateway/faults';
import { API_HANDLERS } from './api';
import { FAULT_RESP_CODES } from './faults';
import type { Reply } from './http';
import type { HuifuData, HuifuState } from './state';

/**
 * What the WeChat sandbox's console (`/sandbox/console`, sandbox/gateway/console) reads of this
 * emulator when both run in one process (`npm start`, the e2e stacks): its state, the calls it
 * answered (API, cashier and admin actions, with their bodies) and a change signal for the live
 * feed. Read-only: the console acts through this emulator's own HTTP routes.
 */
export interface HuifuConsoleFeed {
  /** The Huifu sandbox's base URL (the console forwards its buttons there). */
  url: string;
  data(): HuifuData;
  requests: RequestLog;
  /** The fault switches armed on the Huifu sandbox (faults.ts). */
  faults(): ArmedFault[];
  onChange(listener: () => void): () => void;
  /** Wipes this emulator's state with the WeChat sandbox's (`npm run sandbox -- reset`); keys kept. */
  reset(): void;
}

/**
 * The Huifu sandbox's switches as the console offers them (faults.ts says what each does): endpoint
 * faults on an API path, notification faults by kind, and the next bookings / refunds failing
 * (`/sandbox/admin/accounting/fail`, `/sandbox/admin/refunds/fail`).
 */
export const HUIFU_FAULT_CATALOGUE = {
  paths: Object.keys(API_HANDLERS),
  endpoint: ['SYSTEM_ERROR', 'hang'],
  respCodes: Object.keys(FAULT_RESP_CODES),
  notification: NOTIFICATION_EFFECTS,
  eventTypes: ['trade', 'acct', 'refund'],
  corruptions: ['signature'],
};

const NUMBER_FIELDS = ['req_seq_id', 'org_req_seq_id'];
const HF_FIELDS = ['hf_seq_id', 'org_hf_seq_id'];

/** The trades and refunds a call was about: req_seq_id numbers in either body, a trade named by hf_seq_id or prepay id in the path. */
export function huifuSubjectsOf(state: HuifuState, entry: RequestEntry): string[] {
  const found = new Set<string>();
  const byHf = (hf: string) => state.tradeByHfSeqId(hf)?.reqSeqId;
  const path = /^\/sandbox\/(cashier|admin\/trades)\/([^/?]+)/.exec(entry.path);
  if (path) {
    let id = path[2]!;
    try {
      id = decodeURIComponent(id);
    } catch {
      /* as sent */
    }
    const no = path[1] === 'cashier' ? state.tradeByPrepayId(id)?.reqSeqId : byHf(id);
    if (no) found.add(no);
  }
  const hfs: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || depth > 3) return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'string' && NUMBER_FIELDS.includes(k)) found.add(v);
      else if (typeof v === 'string' && HF_FIELDS.includes(k)) hfs.push(v);
      else if (typeof v === 'object') visit(v, depth + 1);
    }
  };
  visit(entry.request, 0);
  visit(entry.response, 0);
  // A trade named only by its hf_seq_id (a query by org_hf_seq_id): look it up (a scan, so only then).
  if (found.size === 0) for (const hf of hfs) if (byHf(hf)) found.add(byHf(hf)!);
  return [...found];
}

/** A body as the timeline shows it: JSON parsed, anything else as (trimmed) text. */
export function bodyOf(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 2000);
  }
}

/** What an answer carried, for the log: the signed JSON parsed, a page as a note. */
export function replyBody(reply: Reply | undefined): unknown {
  if (!reply) return '(held: no answer, sandbox fault)';
  if (reply.raw) return typeof reply.raw.body === 'string' ? bodyOf(reply.raw.body) : `(${reply.raw.headers['Content-Type'] ?? 'file'}, ${reply.raw.body.length} bytes)`;
  if (reply.html !== undefined) return '(html page)';
  return reply.json;
}

/** Reads are not logged: the console's own polling and the dashboard would drown the calls that matter. */
export function logged(method: string, pathname: string, isApi: boolean): boolean {
  if (isApi) return true;
  if (pathname === '/healthz') return false;
  return !(method === 'GET' && (pathname.startsWith('/sandbox/admin') || pathname === '/sandbox/' || pathname === '/sandbox'));
}
