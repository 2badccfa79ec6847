/**
 * The APIv2 channels of a deployment, from its `wechatpayV2` section: one v2 client per appid,
 * every call over mutual TLS with the merchant API certificate (refunds require it; the other
 * calls accept it), and the one Signer of the configured sign type. `v2app` exists only when the
 * section names the mobile app's appid.
 */
import { readFileSync } from 'node:fs';
import type { WechatpayV2Config } from '../../kernel/config';
import { tlsFetch, type ClientTls, type ExchangeFetch } from '../../kernel/http-exchange';
import { createV2Client, v2Signer, type V2Client } from '../../gateways/wechatpay/v2';
import type { PaymentChannel } from '../port';
import { createV2Channel } from './channel';

export interface V2Wiring {
  v2: PaymentChannel;
  v2app?: PaymentChannel;
}

export function createV2Channels(section: WechatpayV2Config, options: { now?: () => number; fetch?: ExchangeFetch } = {}): V2Wiring {
  const certificate = section.clientCertificate;
  const identity: ClientTls =
    certificate.kind === 'pkcs12' ? { pfx: readFileSync(certificate.file), passphrase: certificate.password } : { cert: certificate.certificate, key: certificate.privateKey };
  const doFetch = options.fetch ?? tlsFetch({ ...identity, ...(section.gatewayCa ? { ca: section.gatewayCa } : {}) });
  // The only place the APIv2 key becomes something that signs.
  const signer = v2Signer(section.key, section.signType);
  const clients = new Map<string, V2Client>();
  const clientFor = (appid: string) => {
    let client = clients.get(appid);
    if (!client) {
      client = createV2Client({ appId: appid, mchId: section.mchid, key: section.key, signer, baseUrl: section.gatewayBaseUrl, fetch: doFetch, timeoutMs: section.http.timeoutMs });
      clients.set(appid, client);
    }
    return client;
  };
  const common = { mchid: section.mchid, notifyUrl: section.notifyUrl, key: section.key, signer, clientFor, ...(options.now ? { now: options.now } : {}) };
  return {
    v2: createV2Channel({ ...common, name: 'v2', tradeType: 'JSAPI' }),
    ...(section.appAppid ? { v2app: createV2Channel({ ...common, name: 'v2app', tradeType: 'APP', appAppid: section.appAppid }) } : {}),
  };
}
