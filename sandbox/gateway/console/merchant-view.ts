import type { MerchantOrderView } from './compare';

/**
 * Reads the merchant store through the function host's read-only local endpoint
 * (`GET <host>/local/store/orders`, sandbox/host/store-view.ts). The gateway knows the host's URL
 * only when the local stack linked them (`Gateway.linkMerchantView`); a gateway started alone
 * shows its own side only.
 */
export class MerchantView {
  url: string | undefined;

  async orders(): Promise<{ available: boolean; orders: Map<string, MerchantOrderView>; error?: string }> {
    if (!this.url) return { available: false, orders: new Map() };
    try {
      const res = await fetch(`${this.url}/local/store/orders`, { signal: AbortSignal.timeout(3000) });
      if (!res.ok) return { available: false, orders: new Map(), error: `${res.status} from the function host` };
      const { orders } = (await res.json()) as { orders: MerchantOrderView[] };
      const byNo = new Map<string, MerchantOrderView>();
      for (const o of orders) {
        byNo.set(o.outTradeNo, o);
        if (o.combineOutTradeNo) byNo.set(o.combineOutTradeNo, o);
      }
      return { available: true, orders: byNo };
    } catch (err) {
      return { available: false, orders: new Map(), error: (err as Error).message };
    }
  }

  async order(no: string): Promise<unknown> {
    if (!this.url) return undefined;
    try {
      const res = await fetch(`${this.url}/local/store/orders/${encodeURIComponent(no)}`, { signal: AbortSignal.timeout(3000) });
      return res.ok ? await res.json() : undefined;
    } catch {
      return undefined;
    }
  }
}
