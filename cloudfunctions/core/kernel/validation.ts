/**
 * Schema validation for every server-side schema (handler events, the timer event, the merchant
 * config), on zod's tree-shakeable build `zod/mini`. That build loads no locale: an issue it
 * raises says only "Invalid input". So the words are ours: `issueMessage` turns an issue into
 * "what was expected" from its code and parameters, and `describeIssues` prefixes each with the
 * field's path ("amount: must be an integer", "channel: must be one of jsapi, combine").
 * A message a schema gives itself (`z.regex(re, 'must be digits')`) wins over ours.
 */
import * as z from 'zod/mini';

export { isObject } from './is-object';

/** Any zod schema, mini or classic (both are `$ZodType`s underneath). */
export type Schema<Out = unknown> = z.core.$ZodType<Out>;
export type Issue = z.core.$ZodIssue;


type RawIssue = z.core.$ZodRawIssue;

const KIND_OF: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  bigint: 'an integer',
};

const list = (values: ReadonlyArray<unknown>) => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');

/** Our wording of one issue: what the field must be. */
export function issueMessage(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${KIND_OF[issue.expected] ?? issue.expected}`;
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = Number(small ? issue.minimum : issue.maximum);
      if (issue.origin === 'int' && 'note' in issue && issue.note) return 'must be a safe integer';
      if (issue.origin === 'string') return small && bound === 1 ? 'must not be empty' : `must be at ${small ? 'least' : 'most'} ${bound} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at ${small ? 'least' : 'most'} ${bound} items`;
      if (small && bound === 0 && !issue.inclusive) return 'must be positive';
      if (issue.inclusive === false) return `must be ${small ? 'greater' : 'less'} than ${bound}`;
      return `must be at ${small ? 'least' : 'most'} ${bound}`;
    }
    case 'invalid_format':
      if (issue.format === 'regex') return `must match ${issue.pattern ?? 'the expected pattern'}`;
      if (issue.format === 'url') return 'must be an http(s) URL';
      if (issue.format === 'datetime') return 'must be an ISO 8601 date-time';
      return `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${list(issue.values)}` : `must be one of ${list(issue.values)}`;
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options)) return `must be one of ${list(issue.options as unknown[])}`;
      return 'matches none of the accepted shapes';
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    default:
      return 'is invalid';
  }
}

/** Validates `data` with `schema`, worded by `issueMessage` unless the schema said otherwise. */
export function validate<Out>(schema: Schema<Out>, data: unknown): { success: true; data: Out } | { success: false; issues: Issue[] } {
  const result = z.safeParse(schema, data, { error: issueMessage });
  return result.success ? { success: true, data: result.data } : { success: false, issues: result.error.issues };
}

/**
 * `amount: must be an integer; note: must be at most 4 characters` — names every failing field
 * (an unknown field by its own path), at most `limit` of them.
 */
export function describeIssues(issues: ReadonlyArray<Issue>, options: { root?: string; limit?: number } = {}): string {
  const root = options.root ?? '(request)';
  const at = (path: ReadonlyArray<PropertyKey>) => (path.length ? path.map(String).join('.') : root);
  return issues
    .flatMap((issue) =>
      issue.code === 'unrecognized_keys' ? issue.keys.map((key) => `${at([...issue.path, key])}: unknown field`) : [`${at(issue.path)}: ${issue.message}`],
    )
    .slice(0, options.limit ?? 5)
    .join('; ');
}
