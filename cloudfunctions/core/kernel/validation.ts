/**
 * Schema validation for every server-side schema (handler events, the timer event, the merchant
 * config), on valibot: each schema and check is its own function, so a bundle carries only the
 * ones it uses (about a third of what zod's mini build cost, bench e2e). valibot's default words
 * are generic ("Invalid type: Expected …"), so the words are ours: `issueMessage` turns an issue
 * into "what was expected" from its type and requirement, and `describeIssues` prefixes each with
 * the field's path ("amount: must be an integer", "channel: must be one of jsapi, combine").
 * A message a schema gives itself (`v.regex(re, 'must be digits')`) wins over ours.
 */
import * as v from 'valibot';

export { isObject } from './is-object';

/** Any synchronous schema whose output is `Out`. */
export type Schema<Out = unknown> = v.GenericSchema<unknown, Out>;
export type Issue = v.BaseIssue<unknown>;
export type Output<S extends Schema> = v.InferOutput<S>;
export type Input<S extends Schema> = v.InferInput<S>;

const KIND_OF: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  strict_object: 'an object',
  loose_object: 'an object',
  array: 'an array',
  bigint: 'an integer',
};

/** `("jsapi" | "combine")` (valibot's `expected`) → `jsapi, combine`. */
function options(expected: string | null): string {
  if (!expected) return '';
  return expected
    .replace(/^\((.*)\)$/, '$1')
    .split(' | ')
    .map((option) => {
      try {
        const value: unknown = JSON.parse(option);
        return typeof value === 'string' ? value : option;
      } catch {
        return option;
      }
    })
    .join(', ');
}

const oneOf = (expected: string | null) => {
  const list = options(expected);
  return list.includes(', ') ? `must be one of ${list}` : `must be ${list}`;
};

/** Our wording of one issue: what the field must be. */
export function issueMessage(issue: Issue): string {
  if (issue.kind === 'schema') {
    // A key the object does not know (strict objects): `expected` is "never".
    if (issue.expected === 'never') return 'unknown field';
    if (issue.input === undefined) return 'is required';
    if (issue.type === 'picklist' || issue.type === 'literal' || issue.type === 'variant' || issue.type === 'enum') return oneOf(issue.expected);
    return `must be ${KIND_OF[issue.type] ?? issue.type}`;
  }
  const bound = issue.requirement;
  switch (issue.type) {
    case 'integer':
      return 'must be an integer';
    case 'safe_integer':
      return 'must be a safe integer';
    case 'min_length':
    case 'max_length': {
      const small = issue.type === 'min_length';
      if (Array.isArray(issue.input)) return `must have at ${small ? 'least' : 'most'} ${String(bound)} items`;
      return small && bound === 1 ? 'must not be empty' : `must be at ${small ? 'least' : 'most'} ${String(bound)} characters`;
    }
    case 'min_value':
      return `must be at least ${String(bound)}`;
    case 'max_value':
      return `must be at most ${String(bound)}`;
    case 'gt_value':
      return bound === 0 ? 'must be positive' : `must be greater than ${String(bound)}`;
    case 'lt_value':
      return `must be less than ${String(bound)}`;
    case 'regex':
      return `must match ${String(bound)}`;
    case 'url':
      return 'must be an http(s) URL';
    case 'iso_timestamp':
      return 'must be an ISO 8601 date-time';
    default:
      return 'is invalid';
  }
}

/** Validates `data` with `schema`, worded by `issueMessage` unless the schema said otherwise. */
export function validate<Out>(schema: Schema<Out>, data: unknown): { success: true; data: Out } | { success: false; issues: Issue[] } {
  const result = v.safeParse(schema, data, { message: issueMessage });
  return result.success ? { success: true, data: result.output } : { success: false, issues: result.issues };
}

/**
 * `amount: must be an integer; note: must be at most 4 characters` — names every failing field
 * (an unknown field by its own path), at most `limit` of them.
 */
export function describeIssues(issues: ReadonlyArray<Issue>, options: { root?: string; limit?: number } = {}): string {
  const root = options.root ?? '(request)';
  const at = (path: Issue['path']) => (path?.length ? path.map((item) => String(item.key)).join('.') : root);
  return issues
    .map((issue) => `${at(issue.path)}: ${issue.message}`)
    .slice(0, options.limit ?? 5)
    .join('; ');
}

// ---------------------------------------------------------------------------------------------
// Schemas every caller words the same way.

/** An http(s) URL (the WHATWG parser decides what a URL is). */
export const httpUrl = () =>
  v.pipe(
    v.string(),
    v.check((text) => {
      try {
        return /^https?:$/.test(new URL(text).protocol);
      } catch {
        return false;
      }
    }, 'must be an http(s) URL'),
  );
