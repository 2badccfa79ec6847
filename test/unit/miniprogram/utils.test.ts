import type { ErrorCode, OrderState } from '../../../typings/api';
import { isRetryable, messageForCode } from '../../../miniprogram/utils/error-messages';
import { IDEMPOTENCY_KEY_PATTERN, newIdempotencyKey } from '../../../miniprogram/utils/idempotency';
import { formatDateTime, isSettled, stateView } from '../../../miniprogram/utils/order-view';

const ALL_CODES: ErrorCode[] = [
  'INVALID_ARGUMENT', 'UNKNOWN_ACTION', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'AMOUNT_OUT_OF_RANGE', 'INVALID_STATE',
  'CLOSE_TOO_EARLY', 'GATEWAY_REJECTED', 'GATEWAY_UNAVAILABLE', 'GATEWAY_UNTRUSTED', 'PAYEE_NOT_AUTHORIZED',
  'PAYEE_ALREADY_AUTHORIZED', 'SELF_PAY', 'REFUND_EXCEEDS_PAID', 'TRANSPORT_ERROR', 'INTERNAL',
];

describe('error messages', () => {
  it('every contract code has its own Chinese sentence', () => {
    const messages = ALL_CODES.map(messageForCode);
    expect(new Set(messages).size).toBe(ALL_CODES.length);
    for (const m of messages) expect(m).toMatch(/[\u4e00-\u9fff]/);
  });
  it('an unknown code (newer server) still reads as a sentence', () => {
    expect(messageForCode('SOMETHING_NEW')).toBe('操作失败，请稍后重试');
  });
  it('retry is offered when the server says so, else for transport and availability failures', () => {
    expect(isRetryable({ code: 'INVALID_ARGUMENT', retryable: true })).toBe(true);
    expect(isRetryable({ code: 'TRANSPORT_ERROR', retryable: false })).toBe(false);
    expect(isRetryable({ code: 'TRANSPORT_ERROR' })).toBe(true);
    expect(isRetryable({ code: 'GATEWAY_UNAVAILABLE' })).toBe(true);
    expect(isRetryable({ code: 'AMOUNT_OUT_OF_RANGE' })).toBe(false);
  });
});

describe('idempotency keys', () => {
  it('fit the contract pattern and do not repeat', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const key = newIdempotencyKey();
      expect(key).toMatch(IDEMPOTENCY_KEY_PATTERN);
      keys.add(key);
    }
    expect(keys.size).toBe(2000);
  });
  it('fit even at the extremes of time and randomness', () => {
    expect(newIdempotencyKey(0, () => 0)).toMatch(IDEMPOTENCY_KEY_PATTERN);
    expect(newIdempotencyKey(Number.MAX_SAFE_INTEGER, () => 0.999999)).toMatch(IDEMPOTENCY_KEY_PATTERN);
  });
});

describe('order view', () => {
  const states: OrderState[] = ['CREATED', 'PAYING', 'PAID', 'CLOSED', 'FAILED', 'REFUNDING', 'REFUNDED'];
  it('labels every state and settles only the final ones', () => {
    expect(states.map((s) => stateView(s).label)).toEqual(['待支付', '待支付', '已支付', '已关闭', '支付失败', '退款中', '已退款']);
    expect(states.filter(isSettled)).toEqual(['PAID', 'CLOSED', 'FAILED', 'REFUNDING', 'REFUNDED']);
  });
  it('formats times in the local zone and tolerates garbage', () => {
    const d = new Date(2026, 10, 5, 9, 7);
    expect(formatDateTime(d.toISOString())).toBe('2026-11-05 09:07');
    expect(formatDateTime('not a date')).toBe('');
  });
});
