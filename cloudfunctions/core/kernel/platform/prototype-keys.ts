import { AppError } from '../errors';

/**
 * Field names that name an object's prototype machinery. JSON.parse makes `{"__proto__": …}` an
 * own field; our schemas never read one, but a merge or a spread further on would set a
 * prototype or shadow `constructor`. No event of ours has such a field, so one is refused at the
 * door, for every function, instead of trusting every later step to ignore it (issue 17 fuzzing).
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The path of the first prototype field name in `value` (at any depth), if any. */
export function findPrototypeKey(value: unknown): string | undefined {
  // Iterative, like the well-formed walk: a deeply nested event must not overflow the stack.
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  while (pending.length) {
    const { value: current, path } = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    for (const [key, child] of Object.entries(current)) {
      const at = path ? `${path}.${key}` : key;
      if (PROTOTYPE_KEYS.has(key)) return at;
      pending.push({ value: child, path: at });
    }
  }
  return undefined;
}

export function refusePrototypeKeys(event: unknown): void {
  const path = findPrototypeKey(event);
  if (path !== undefined) throw new AppError('INVALID_ARGUMENT', `${path}: this field name is not allowed`);
}
