/**
 * Huifu section: the envelope's request signature through the Signer and the answer verification
 * (over the raw `data` text) against raw node:crypto with a cached key (targets as the v3 ones:
 * ≥ 95 % and ≥ 90 %), and create → PAID through the Huifu sandbox on the local stack (jspay,
 * cashier, trade notification to huifuNotify, visible to pay.query), median and p95.
 * Needs a built `dist/cloudfunctions` (`npm run build`).
 */
import { sign as rsaSign, verify as rsaVerify } from 'node:crypto';
import { buildHuifuRequest, canonicalJson, huifuSigner, HuifuVerifier, verifyHuifuResponse } from '../cloudfunctions/core/gateways/huifu';
import { startStack } from '../test/helpers/stack';
import { login } from '../test/e2e/pay/harness';
import { huifuCashier } from '../test/e2e/huifu/harness';
import { generateRsaKeyPair } from '../test/helpers/crypto-fixtures';
import { compare, comparisonTable, formatTable, type ComparisonResult } from './measure';
import type { BenchSection } from './section';
import { sampleCreateToPaid } from './create-to-paid';

export const huifu: BenchSection = {
  name: 'huifu',
  description: 'Huifu DouGong: envelope sign/verify vs node:crypto, create → PAID through the Huifu sandbox',
  async run(budgetMs) {
    const merchant = generateRsaKeyPair();
    const gateway = generateRsaKeyPair();
    const signer = huifuSigner(merchant.privatePem);
    const verifier = new HuifuVerifier(gateway.publicPem);
    const data = { req_date: '20261201', req_seq_id: '20261201100000ABCDEFGHIJKL', huifu_id: '6666000000000000', trade_type: 'T_MINIAPP', trans_amt: '12.34', goods_desc: '咖啡', notify_url: 'https://m.example/http/huifuNotify', wx_data: '{"sub_appid":"wx1","sub_openid":"o1"}' };
    const answerText = canonicalJson({ resp_code: '00000100', resp_desc: '下单成功', hf_seq_id: '0029000topA261201100000P123', trans_stat: 'P', trans_amt: '12.34', pay_info: '{"appId":"wx1","package":"prepay_id=wx1"}' });
    const answerSign = rsaSign('sha256', Buffer.from(answerText), gateway.privateKey).toString('base64');
    const answerBody = `{"data":${answerText},"sign":"${answerSign}"}`;
    const ours = await buildHuifuRequest({ sysId: 'S', productId: 'P', data, signer });
    if (ours.sign !== rsaSign('sha256', Buffer.from(canonicalJson(data)), merchant.privateKey).toString('base64')) throw new Error('bench setup: signatures differ');

    const crypto: ComparisonResult[] = [
      await compare(
        'huifu sign request',
        [
          { name: 'node:crypto', fn: () => rsaSign('sha256', Buffer.from(canonicalJson(data)), merchant.privateKey).toString('base64') },
          { name: 'ours', fn: () => buildHuifuRequest({ sysId: 'S', productId: 'P', data, signer }) },
        ],
        { durationMs: budgetMs * 0.2, target: { candidate: 'ours', minRatio: 0.95 } },
      ),
      await compare(
        'huifu verify answer',
        [
          { name: 'node:crypto', fn: () => rsaVerify('sha256', Buffer.from(answerText), gateway.publicKey, Buffer.from(answerSign, 'base64')) && JSON.parse(answerText) },
          { name: 'ours', fn: () => verifyHuifuResponse(answerBody, verifier) },
        ],
        { durationMs: budgetMs * 0.2, target: { candidate: 'ours', minRatio: 0.9 } },
      ),
    ];
    console.log(comparisonTable(crypto));

    const stack = await startStack({ huifu: { timeScale: 50 }, env: { PAY_RECONCILE_AFTER_MS: '60000' } });
    try {
      const payer = await login(stack, 'bench-huifu');
      const createToPaid = await sampleCreateToPaid(payer, 'huifu', (payment) => huifuCashier(stack, 'pay', payment), { minSamples: 20, maxSamples: 200, budgetMs: budgetMs * 0.5 });
      console.log(
        formatTable(
          ['measure', 'value'],
          [
            ['huifu create → PAID visible to pay.query, median', `${createToPaid.medianMs.toFixed(1)} ms`],
            ['huifu create → PAID visible to pay.query, p95', `${createToPaid.p95Ms.toFixed(1)} ms (${createToPaid.samples} payments)`],
          ],
        ),
      );
      return { crypto, createToPaid };
    } finally {
      await stack.close();
    }
  },
};
