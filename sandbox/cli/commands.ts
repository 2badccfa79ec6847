import type { ConsoleAction } from '../gateway/console/sources';
import type { ConsoleRow, TimelineEntry } from '../gateway/console/api';
import type { ArmedFault } from '../gateway/faults';
import type { NotificationRecord } from '../gateway/state';
import { caller, CliError, type Call, type StackUrls } from './client';
import { chinaTime, columns, yuan } from './format';

/**
 * `npm run sandbox -- <command>`: the sandbox console's actions from a terminal. Every command
 * is a table entry over the gateway's HTTP API (`/sandbox/console/*`, `/sandbox/admin/*`, the
 * cashier) and the function host's read-only `/local/*`, so what it does a developer can do with
 * curl, and a new product's orders show up here as soon as they are a console order source.
 */

export interface CliIo {
  out(line: string): void;
  /** Asks yes/no on a terminal (reset); tests answer it. */
  confirm(question: string): Promise<boolean>;
  /** Ends `notifications --follow`. */
  signal?: AbortSignal;
}

export interface Parsed {
  positional: string[];
  flags: Record<string, string | true>;
}

export function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (inline !== undefined) flags[name] = inline;
    else if (BOOLEAN_FLAGS.has(name) || argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) flags[name] = true;
    else flags[name] = argv[++i]!;
  }
  return { positional, flags };
}

const BOOLEAN_FLAGS = new Set(['yes', 'json', 'follow', 'fail', 'mismatch', 'help']);

interface Env {
  gateway: Call;
  host: Call;
  urls: StackUrls;
  io: CliIo;
  args: Parsed;
}

interface Command {
  usage: string;
  summary: string;
  run(env: Env): Promise<void>;
}

const seg = encodeURIComponent;
const need = (value: string | undefined, what: string): string => {
  if (!value) throw new CliError(`missing ${what}`);
  return value;
};
const flag = (args: Parsed, name: string): string | undefined => (typeof args.flags[name] === 'string' ? (args.flags[name] as string) : undefined);

async function orderRow(env: Env, no: string): Promise<{ order: ConsoleRow; timeline: TimelineEntry[] }> {
  return env.gateway('GET', `/sandbox/console/orders/${seg(no)}`);
}

/** Runs one of an order's console actions (the buttons of the console) by name. */
async function userAction(env: Env, no: string, name: string): Promise<void> {
  const { order } = await orderRow(env, no);
  const action = order.actions.find((a: ConsoleAction) => a.name === name);
  if (!action) {
    const offered = order.actions.map((a) => a.name).join(', ') || 'none';
    throw new CliError(`${order.channel} order ${order.outTradeNo} is ${order.state}: cannot ${name} (actions now: ${offered})`);
  }
  const result = await env.gateway<Record<string, unknown>>('POST', action.path, action.body ?? {});
  const after = await orderRow(env, order.outTradeNo);
  env.io.out(`${name} ${order.outTradeNo}: ${order.state} → ${after.order.state}${result && typeof result === 'object' && 'outcome' in result ? ` (${String(result.outcome)})` : ''}`);
}

function printOrders(env: Env, rows: ConsoleRow[], total: number): void {
  if (rows.length === 0) return env.io.out('no orders');
  const lines = columns([
    ['created (China)', 'channel', 'order', 'amount', 'gateway', 'merchant', 'actions'],
    ...rows.map((o) => [
      chinaTime(o.createdAt),
      o.channel,
      o.outTradeNo,
      yuan(o.amount),
      o.state,
      (o.merchant?.state ?? '—') + (o.mismatches.length ? ' ≠' : ''),
      o.actions.map((a) => a.name).join(','),
    ]),
  ]);
  for (const line of lines) env.io.out(line);
  const mismatched = rows.filter((o) => o.mismatches.length);
  for (const o of mismatched) env.io.out(`≠ ${o.outTradeNo}: ${o.mismatches.join('; ')}`);
  if (total > rows.length) env.io.out(`(${rows.length} of ${total}; --page N for more)`);
}

async function latestNotificationOf(env: Env, target: string): Promise<NotificationRecord> {
  const { notifications } = await env.gateway<{ notifications: NotificationRecord[] }>('GET', '/sandbox/admin/notifications');
  const byId = notifications.find((n) => n.id === target);
  if (byId) return byId;
  const { order } = await orderRow(env, target);
  // The order's own notification first (TRANSACTION.*), else one about its refunds or sub-orders.
  const newestFirst = [...notifications].reverse().filter((n) => !n.replayOf);
  const last = newestFirst.find((n) => n.subject === target || n.subject === order.outTradeNo) ?? newestFirst.find((n) => order.related.includes(n.subject));
  if (!last) throw new CliError(`no notification about ${target} yet`);
  return last;
}

/** `trigger <event> <target>`: the events the sandbox can make happen now. */
const TRIGGERS: Record<string, { usage: string; run(env: Env, target: string): Promise<void> }> = {
  'payment.success': { usage: '<out_trade_no>', run: (env, no) => userAction(env, no, 'pay') },
  'refund.success': {
    usage: '<out_refund_no>',
    run: async (env, no) => {
      const { refunds } = await env.gateway<{ refunds: Array<{ outRefundNo: string; status: string }> }>('GET', '/sandbox/admin/orders');
      const refund = refunds.find((r) => r.outRefundNo === no);
      if (!refund) throw new CliError(`no refund ${no}`);
      const action = refund.status === 'ABNORMAL' ? 'resolve' : 'succeed';
      const view = await env.gateway<{ status: string }>('POST', `/sandbox/admin/refunds/${seg(no)}/${action}`, {});
      env.io.out(`refund ${no}: ${refund.status} → ${view.status}`);
    },
  },
  'payscore.confirm': { usage: '<out_order_no>', run: (env, no) => userAction(env, no, 'confirm') },
  'payscore.collect': { usage: '<out_order_no> [--fail]', run: (env, no) => userAction(env, no, env.args.flags.fail ? 'collect-fail' : 'collect') },
  'notification.replay': {
    usage: '<notification id | order no>',
    run: async (env, target) => {
      const original = await latestNotificationOf(env, target);
      const { notification } = await env.gateway<{ notification: NotificationRecord }>('POST', `/sandbox/admin/notifications/${seg(original.id)}/replay`, {});
      env.io.out(`replayed ${original.eventType} about ${original.subject} (notification ${original.id}; delivery ${notification.id})`);
    },
  },
};

function faultSpec(args: Parsed): Record<string, unknown> {
  const [, kind, effect] = args.positional.slice(1);
  const count = flag(args, 'count');
  const spec: Record<string, unknown> = { kind: need(kind, 'fault kind (endpoint | notification | refund)'), effect: need(effect, 'fault effect') };
  if (count !== undefined) spec.count = Number(count);
  for (const [name, field] of [['path', 'path'], ['method', 'method'], ['event', 'eventType'], ['corruption', 'corruption'], ['body', 'body']] as const) {
    const v = flag(args, name);
    if (v !== undefined) spec[field] = v;
  }
  for (const [name, field] of [['hold-ms', 'holdMs'], ['delay-ms', 'delayMs'], ['copies', 'copies']] as const) {
    const v = flag(args, name);
    if (v !== undefined) spec[field] = Number(v);
  }
  return spec;
}

const describeFault = (f: ArmedFault) =>
  [f.id.slice(0, 8), f.kind, f.effect, 'path' in f ? f.path : '', 'eventType' in f && f.eventType ? f.eventType : '', 'corruption' in f && f.corruption ? f.corruption : '', `×${f.remaining}`].filter(Boolean).join(' ');

function describeAttempt(n: NotificationRecord, a: NotificationRecord['attempts'][number]): string {
  return `${a.at.slice(0, 19)}Z ${n.eventType} ${n.subject} #${a.round} → ${a.statusCode ?? a.error ?? '?'}${a.fault ? ` (${a.fault})` : ''}${n.replayOf ? ' (replay)' : ''}`;
}

/** Prints every notification and each delivery attempt once; with --follow, goes on as they come (server-sent events). */
async function notifications(env: Env): Promise<void> {
  const seen = new Set<string>();
  const print = async () => {
    const { notifications: list } = await env.gateway<{ notifications: NotificationRecord[] }>('GET', '/sandbox/admin/notifications');
    for (const n of list) {
      if (!seen.has(n.id)) {
        seen.add(n.id);
        env.io.out(`${n.createdAt} ${n.eventType} ${n.subject} ${n.status} → ${n.url}${n.replayOf ? ` (replay of ${n.replayOf})` : ''} [${n.id}]`);
      }
      for (const a of n.attempts) {
        const key = `${n.id}#${a.round}@${a.at}`;
        if (seen.has(key)) continue;
        seen.add(key);
        env.io.out('  ' + describeAttempt(n, a));
      }
    }
    if (list.length === 0 && !seen.has('none')) {
      seen.add('none');
      env.io.out('no notifications yet');
    }
  };
  await print();
  if (!env.args.flags.follow) return;
  env.io.out('following (Ctrl-C to stop)…');
  let res: Response;
  try {
    res = await fetch(`${env.urls.gatewayUrl}/sandbox/console/events`, { signal: env.io.signal });
  } catch (err) {
    if (env.io.signal?.aborted) return;
    throw new CliError(`the sandbox gateway went away: ${(err as Error).message}`);
  }
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (/^event: changed$/m.test(event)) await print();
      }
    }
  } catch (err) {
    if (!env.io.signal?.aborted) throw new CliError(`the sandbox gateway went away: ${(err as Error).message}`);
  }
}

export const COMMANDS: Record<string, Command> = {
  orders: {
    usage: 'orders [--channel v3|combine|v2|v2app|payscore|huifu] [--state S] [--mismatch] [--page N] [--json]',
    summary: "every order, newest first, the gateway's state beside the merchant store's (≠ marks a difference)",
    run: async (env) => {
      const q = new URLSearchParams({ pageSize: '50', page: flag(env.args, 'page') ?? '1' });
      for (const name of ['channel', 'state', 'q'] as const) if (flag(env.args, name)) q.set(name, flag(env.args, name)!);
      if (env.args.flags.mismatch) q.set('mismatch', '1');
      const data = await env.gateway<{ orders: ConsoleRow[]; total: number }>('GET', `/sandbox/console/orders?${q}`);
      if (env.args.flags.json) return env.io.out(JSON.stringify(data.orders, null, 2));
      printOrders(env, data.orders, data.total);
    },
  },
  order: {
    usage: 'order <no>',
    summary: "one order's timeline: API calls, notifications with every attempt, the merchant's audit",
    run: async (env) => {
      const { order, timeline } = await orderRow(env, need(env.args.positional[1], 'order number'));
      env.io.out(`${order.channel} ${order.outTradeNo} ${yuan(order.amount)} gateway ${order.state} · merchant ${order.merchant?.state ?? '—'}`);
      for (const m of order.mismatches) env.io.out(`≠ ${m}`);
      for (const e of timeline) env.io.out(`${chinaTime(e.at)} ${e.kind.padEnd(12)} ${e.title}`);
    },
  },
  pay: { usage: 'pay <order>', summary: 'the payer pays in the cashier (the notification is sent; Huifu orders: in the Huifu sandbox)', run: (env) => userAction(env, need(env.args.positional[1], 'order number'), 'pay') },
  fail: { usage: 'fail <order>', summary: 'the payment fails in the cashier (PAYERROR, no notification; Huifu: trans_stat F and its notification)', run: (env) => userAction(env, need(env.args.positional[1], 'order number'), 'fail') },
  cancel: { usage: 'cancel <order>', summary: 'the payer leaves the cashier without paying', run: (env) => userAction(env, need(env.args.positional[1], 'order number'), 'cancel') },
  trigger: {
    usage: `trigger <${Object.keys(TRIGGERS).join(' | ')}> <target>`,
    summary: 'makes a gateway event happen now',
    run: async (env) => {
      const name = need(env.args.positional[1], `event (${Object.keys(TRIGGERS).join(', ')})`);
      const trigger = TRIGGERS[name];
      if (!trigger) throw new CliError(`unknown event ${name}: one of ${Object.keys(TRIGGERS).join(', ')}`);
      await trigger.run(env, need(env.args.positional[2], `${name} ${trigger.usage}`));
    },
  },
  faults: {
    usage: 'faults list | faults clear | faults set <endpoint|notification|refund> <effect> [--path P] [--method M] [--event TYPE] [--corruption C] [--count N] [--hold-ms N] [--delay-ms N] [--copies N]',
    summary: 'the fault switches (docs: sandbox/gateway/README.md)',
    run: async (env) => {
      const sub = env.args.positional[1] ?? 'list';
      if (sub === 'set') {
        const armed = await env.gateway<ArmedFault>('POST', '/sandbox/admin/faults', faultSpec(env.args));
        return env.io.out(`armed: ${describeFault(armed)}`);
      }
      if (sub === 'clear') {
        await env.gateway('DELETE', '/sandbox/admin/faults');
        return env.io.out('faults cleared');
      }
      if (sub !== 'list') throw new CliError(`faults ${sub}: expected list, set or clear`);
      const { faults } = await env.gateway<{ faults: ArmedFault[] }>('GET', '/sandbox/admin/faults');
      if (faults.length === 0) return env.io.out('no faults armed');
      for (const f of faults) env.io.out(describeFault(f));
    },
  },
  notifications: { usage: 'notifications [--follow]', summary: 'notifications and every delivery attempt; --follow keeps printing', run: notifications },
  users: {
    usage: 'users',
    summary: 'the test users: the wx.login code that logs each in, their openids, who is the merchant admin',
    run: async (env) => {
      const { codeFormat, users } = await env.gateway<{ codeFormat: string; users: Array<{ user: string; code: string; openid: string; note: string }> }>('GET', '/sandbox/admin/users');
      const { admins } = await env.host<{ admins: string[] }>('GET', '/local/admins');
      env.io.out(`log in as any test user with the wx.login code ${codeFormat} (POST ${env.urls.hostUrl}/session {"code": "user:alice"})`);
      for (const line of columns([['user', 'code', 'openid', 'admin', ''], ...users.map((u) => [u.user, u.code, u.openid, admins.includes(u.openid) ? 'yes' : 'no', u.note])])) env.io.out(line);
      const unnamed = admins.filter((a) => !users.some((u) => u.openid === a));
      if (unnamed.length) env.io.out(`other admins in the merchant config: ${unnamed.join(', ')}`);
    },
  },
  reset: {
    usage: 'reset [--yes]',
    summary: "wipes the sandbox gateways' orders, refunds, contracts, notifications and faults — WeChat Pay's and the linked Huifu sandbox's (keys kept)",
    run: async (env) => {
      await env.gateway('GET', '/sandbox/admin/info');
      if (!env.args.flags.yes && !(await env.io.confirm(`Wipe every order, refund, contract, notification and fault of the sandbox at ${env.urls.gatewayUrl}? Keys are kept. [y/N] `))) {
        return env.io.out('nothing wiped');
      }
      await env.gateway('POST', '/sandbox/admin/reset', {});
      env.io.out('sandbox state wiped (keys kept); the merchant store is not touched');
    },
  },
};

export function helpText(): string[] {
  return ['npm run sandbox -- <command>   (SANDBOX_URL / HOST_URL, default http://127.0.0.1:9400 / :9401)', '', ...Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`)];
}

/** Runs one command line; a CliError is the one line the user sees. */
export async function runCli(argv: string[], urls: StackUrls, io: CliIo): Promise<void> {
  const args = parseArgs(argv);
  const name = args.positional[0];
  if (!name || name === 'help' || args.flags.help) {
    for (const line of helpText()) io.out(line);
    return;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`unknown command ${name} (npm run sandbox -- help lists them)`);
  await command.run({
    gateway: caller(urls.gatewayUrl, 'sandbox gateway', 'SANDBOX_URL'),
    host: caller(urls.hostUrl, 'function host', 'HOST_URL'),
    urls,
    io,
    args,
  });
}
