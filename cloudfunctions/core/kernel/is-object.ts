/** A plain JSON-ish object (not null, not an array): the one guard the server and the local host use for it. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
