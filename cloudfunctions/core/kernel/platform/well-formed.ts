import { AppError } from '../errors';

/**
 * Ill-formed text: a UTF-16 surrogate that is not half of a pair (`"\ud800"` arrives through JSON
 * escapes). It cannot be encoded as UTF-8, so it would reach the gateway, the store or a log as
 * U+FFFD or an escape — not what the user sent. With the `u` flag a well-formed pair is one code
 * point, so `\p{Cs}` matches only lone halves. (`String.prototype.isWellFormed` would say the same,
 * but only from Node 20; the functions are built for Node 18.)
 */
const LONE_SURROGATE = /\p{Cs}/u;

export interface IllFormedText {
  /** `description`, `items.0.name`: where in the event. */
  path: string;
  /** UTF-16 index of the first lone surrogate. */
  index: number;
  /** True when the field's name, not its value, is ill-formed. */
  inKey: boolean;
}

/** The first string (value or key) in `value` that is not well-formed UTF-16, if any. */
export function findIllFormedText(value: unknown): IllFormedText | undefined {
  // Iterative: a deeply nested event must not overflow the stack.
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  while (pending.length) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      const match = LONE_SURROGATE.exec(current);
      if (match) return { path, index: match.index, inKey: false };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push({ value: current[i], path: join(path, String(i)) });
    } else if (typeof current === 'object' && current !== null) {
      const entries = Object.entries(current);
      for (const [key] of entries) {
        const match = LONE_SURROGATE.exec(key);
        if (match) return { path: join(path, key.replace(/\p{Cs}/gu, '\uFFFD')), index: match.index, inKey: true };
      }
      for (let i = entries.length - 1; i >= 0; i--) pending.push({ value: entries[i][1], path: join(path, entries[i][0]) });
    }
  }
  return undefined;
}

/** Throws INVALID_ARGUMENT naming the first ill-formed field of `event`; nothing has run yet. */
export function refuseIllFormedText(event: unknown): void {
  const found = findIllFormedText(event);
  if (!found) return;
  const where = found.path || '(request)';
  throw new AppError(
    'INVALID_ARGUMENT',
    found.inKey
      ? `${where}: the field name must be well-formed Unicode text (a lone surrogate at index ${found.index})`
      : `${where}: must be well-formed Unicode text (a lone surrogate at index ${found.index})`,
  );
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
