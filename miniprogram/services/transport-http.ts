/** `wx.request` as a Promise that rejects only when no HTTP answer came back. */
export interface HttpAnswer {
  statusCode: number;
  data: unknown;
}

export class NetworkError extends Error {}

export function httpRequest(opts: {
  url: string;
  method: 'GET' | 'POST';
  data?: Record<string, unknown>;
  headers?: Record<string, string>;
  timeoutMs?: number;
}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    wx.request({
      url: opts.url,
      method: opts.method,
      data: opts.data,
      header: { 'content-type': 'application/json', ...(opts.headers ?? {}) },
      dataType: 'json',
      timeout: opts.timeoutMs ?? 15000,
      success: (res) => resolve({ statusCode: res.statusCode, data: res.data }),
      fail: (err) => reject(new NetworkError(err.errMsg || 'request:fail')),
    });
  });
}
