/**
 * APIv2 section (issue 13): v2 sign / verify throughput — ours (through the one Signer interface)
 * against a hand-written node:crypto baseline and wechatpay-axios-plugin's v2 helpers — and
 * create → PAID through the v2 sandbox on the local stack (unifiedorder over mutual TLS, the v2
 * cashier, the XML notification to payNotifyV2, pay.query). Needs a built `dist/cloudfunctions`.
 */
import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Hash, Transformer } from 'wechatpay-axios-plugin';
import { buildXml, parseV2Notification, signV2With, v2Signer, type V2SignType } from '../cloudfunctions/core/gateways/wechatpay/v2';
import { createV2Admin } from '../sandbox/gateway/v2/admin';
import { startStack } from '../test/helpers/stack';
import { login } from '../test/e2e/pay/harness';
import { compare, comparisonTable, formatTable, type ComparisonResult } from './measure';
import type { BenchSection } from './section';
import { sampleCreateToPaid } from './create-to-paid';

const DIST = resolve(__dirname, '../dist/cloudfunctions');
const KEY = '192006250b4c09247ec02edce69f6a2d';

/** A 统一下单 request's fields (chapter=9_1 sample shape). */
const PARAMS: Record<string, string> = {
  appid: 'wx2421b1c4370ec43b',
  attach: '支付测试',
  body: 'JSAPI支付测试',
  mch_id: '10000100',
  nonce_str: '1add1a30ac87aa2db72f57a2375d8fec',
  notify_url: 'https://wxpay.wxutil.com/pub_v2/pay/notify.v2.php',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  out_trade_no: '1415659990',
  spbill_create_ip: '14.23.150.211',
  total_fee: '1',
  trade_type: 'JSAPI',
};

function baselineSign(params: Record<string, string>, type: V2SignType): string {
  const text = Object.keys(params).filter((k) => k !== 'sign' && params[k] !== '').sort().map((k) => `${k}=${params[k]}`).join('&') + `&key=${KEY}`;
  return (type === 'MD5' ? createHash('md5') : createHmac('sha256', KEY)).update(text, 'utf8').digest('hex').toUpperCase();
}

const toObject = (xml: string) => (Transformer.toObject as unknown as (this: object, x: string) => Record<string, string>).call({}, xml);

export interface V2BenchResults {
  crypto: ComparisonResult[];
  createToPaid: { samples: number; medianMs: number; p95Ms: number };
}

export const v2: BenchSection = {
  name: 'v2',
  description: 'APIv2: sign/verify vs node:crypto and wechatpay-axios-plugin; create → PAID through the v2 sandbox',
  async run(budgetMs) {
    const md5 = v2Signer(KEY, 'MD5');
    const hmac = v2Signer(KEY, 'HMAC-SHA256');
    const notification = { ...PARAMS, result_code: 'SUCCESS', return_code: 'SUCCESS', transaction_id: '1004400740201409030005092168', time_end: '20141030133525' };
    const notifyXml = buildXml({ ...notification, sign: baselineSign(notification, 'MD5') });
    const tasks = [
      {
        task: 'v2 sign MD5',
        candidates: [
          { name: 'node:crypto', fn: () => baselineSign(PARAMS, 'MD5') },
          { name: 'ours', fn: () => signV2With(PARAMS, md5) },
          { name: 'wechatpay-axios-plugin', fn: () => Hash.sign('MD5', PARAMS, KEY) },
        ],
      },
      {
        task: 'v2 sign HMAC-SHA256',
        candidates: [
          { name: 'node:crypto', fn: () => baselineSign(PARAMS, 'HMAC-SHA256') },
          { name: 'ours', fn: () => signV2With(PARAMS, hmac) },
          { name: 'wechatpay-axios-plugin', fn: () => Hash.sign('HMAC-SHA256', PARAMS, KEY) },
        ],
      },
      {
        task: 'v2 notification parse + verify (MD5)',
        candidates: [
          {
            name: 'node:crypto',
            fn: () => {
              const fields = Object.fromEntries([...notifyXml.matchAll(/<(\w+)><!\[CDATA\[(.*?)\]\]><\/\1>/g)].map((m) => [m[1]!, m[2]!]));
              if (baselineSign(fields, 'MD5') !== fields.sign) throw new Error('bad sign');
            },
          },
          { name: 'ours', fn: () => parseV2Notification(notifyXml, KEY, 'MD5') },
          {
            name: 'wechatpay-axios-plugin',
            fn: () => {
              const fields = toObject(notifyXml);
              if (Hash.sign('MD5', fields, KEY) !== fields.sign) throw new Error('bad sign');
            },
          },
        ],
      },
    ];
    // Everyone must agree before being timed.
    for (const type of ['MD5', 'HMAC-SHA256'] as const) {
      const ours = await signV2With(PARAMS, v2Signer(KEY, type));
      if (ours !== baselineSign(PARAMS, type) || ours !== Hash.sign(type, PARAMS, KEY)) throw new Error(`v2 ${type} signs disagree`);
    }
    if (baselineSign({ appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' }, 'MD5') !== '9A0A8659F005D6984697E2CA0A9CF3B7') throw new Error('baseline off the published vector');
    const crypto: ComparisonResult[] = [];
    for (const { task, candidates } of tasks) crypto.push(await compare(task, candidates, { durationMs: (budgetMs * 0.5) / tasks.length }));
    console.log(comparisonTable(crypto));

    const createToPaid = await createToPaidV2(budgetMs * 0.4);
    console.log(formatTable(['measure', 'value'], [[`create → PAID via v2 sandbox (${createToPaid.samples} samples)`, `median ${createToPaid.medianMs.toFixed(1)} ms, p95 ${createToPaid.p95Ms.toFixed(1)} ms`]]));
    return { crypto, createToPaid } satisfies V2BenchResults;
  },
};

async function createToPaidV2(budgetMs: number): Promise<V2BenchResults['createToPaid']> {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first`);
  const stack = await startStack({ env: { PAY_RECONCILE_AFTER_MS: '60000' } });
  try {
    const payer = await login(stack, 'bench-v2');
    const admin = createV2Admin(stack.gatewayUrl);
    return await sampleCreateToPaid(
      payer,
      'v2',
      async (payment) => {
        if (payment?.kind !== 'miniprogram') throw new Error('no v2 mini-program parameters');
        const { kind: _kind, ...params } = payment;
        await admin.cashier(params.package.replace(/^prepay_id=/, ''), 'pay', params);
      },
      { minSamples: 20, maxSamples: 200, budgetMs },
    );
  } finally {
    await stack.close();
  }
}
