// What the IPC schemas (contract.ts) check beyond zod's own rules, and how their refusals read. JSON payloads
// (specs, hyperparameters) are walked once, within a budget, before anything else touches them: a value too
// deep, too big or not JSON at all, or a key that names the object prototype, is refused where it is found.
// Zod's issues are worded "<field>: expected …, got …" so every refusal names the field and the reason.
import type { core } from 'zod';

export interface JsonLimits {
  /** Nesting of arrays and objects (a spec needs 4: spec, layers, layer, kernelSize). */
  maxDepth: number;
  /** Values in all, counting every key and array item. */
  maxValues: number;
  /** Characters in one string or key. */
  maxStringLength: number;
}

/** Keys that reach the object prototype when assigned or merged: refused in every payload. */
export const PROTOTYPE_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export interface JsonProblem {
  path: (string | number)[];
  message: string;
}

const count = (n: number) => n.toLocaleString('en-US');
/** A field path as messages show it ("image.data", "layers.0.kernelSize"), each key cut to 40 characters. */
export const pathText = (path: readonly PropertyKey[]) =>
  path.map((p) => (typeof p === 'string' && p.length > 40 ? `${p.slice(0, 40)}…` : String(p))).join('.');

/** A short description of any value, for "got …": never longer than about 80 characters. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${count(value.byteLength)} bytes`;
  if (Array.isArray(value)) return `an array of ${count(value.length)} items`;
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? 'a function' : String(value);
  return 'an object';
}

/**
 * Where and why `value` is not small plain JSON, or null. It reads each key list once and never goes deeper
 * than limits.maxDepth, so the walk stops within the budget however big the value is.
 */
export function jsonProblem(value: unknown, limits: JsonLimits): JsonProblem | null {
  let values = 0;
  const tooMany = (path: JsonProblem['path'], holds: string) => ({
    path,
    message: `${holds}: more than the ${count(limits.maxValues)} values allowed`,
  });
  const tooLong = (path: JsonProblem['path'], what: string, length: number) => ({
    path,
    message: `${what} of ${count(length)} characters; at most ${count(limits.maxStringLength)} are allowed`,
  });

  function visit(v: unknown, path: JsonProblem['path'], depth: number): JsonProblem | null {
    values++;
    if (typeof v === 'string') return v.length > limits.maxStringLength ? tooLong(path, 'a string', v.length) : null;
    if (typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function')
      return { path, message: `must be JSON, got a ${typeof v}` };
    if (v === null || typeof v !== 'object') return null;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer)
      return { path, message: `must be JSON, got binary data (${describeValue(v)})` };
    if (depth >= limits.maxDepth) return { path, message: `nested more than ${limits.maxDepth} levels deep` };
    if (Array.isArray(v)) {
      if (values + v.length > limits.maxValues) return tooMany(path, `an array of ${count(v.length)} items`);
      for (let i = 0; i < v.length; i++) {
        const problem = visit(v[i], [...path, i], depth + 1);
        if (problem) return problem;
      }
      return null;
    }
    const keys = Object.keys(v);
    if (values + keys.length > limits.maxValues) return tooMany(path, `an object with ${count(keys.length)} keys`);
    for (const key of keys) {
      if (PROTOTYPE_KEYS.includes(key))
        return { path: [...path, key], message: `the key '${key}' is not allowed (it names the object prototype)` };
      if (key.length > limits.maxStringLength) return tooLong(path, 'a key', key.length);
      const problem = visit((v as Record<string, unknown>)[key], [...path, key], depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  return visit(value, [], 0);
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  undefined: 'no payload',
};

function bound(issue: { origin: string; inclusive?: boolean }, limit: number | bigint, most: boolean): string {
  const n = count(Number(limit));
  if (issue.origin === 'string') return `${most ? 'at most' : 'at least'} ${n} characters`;
  if (issue.origin === 'array' || issue.origin === 'set') return `${most ? 'at most' : 'at least'} ${n} items`;
  if (issue.inclusive) return `${most ? 'at most' : 'at least'} ${n}`;
  return `${most ? 'less' : 'greater'} than ${n}`;
}

/** The reason part of a refusal, for zod's `error` option: "expected an integer, got 1.5". */
export function issueReason(issue: core.$ZodRawIssue): string {
  const got = `got ${describeValue(issue.input)}`;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, ${got}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return `must be ${bound(issue, issue.minimum, false)}, ${got}`;
    case 'too_big':
      return `must be ${bound(issue, issue.maximum, true)}, ${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, ${got}`;
    case 'unrecognized_keys': {
      // A million unknown keys are named by their first five.
      const named = issue.keys
        .slice(0, 5)
        .map((key) => describeValue(key))
        .join(', ');
      const more = issue.keys.length > 5 ? ` and ${count(issue.keys.length - 5)} more` : '';
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${named}${more}`;
    }
    default:
      return issue.message ?? `invalid, ${got}`;
  }
}

/** "runs:delete: runId: expected a positive integer, got undefined", the first three problems, and the field. */
export function refusal(channel: string, issues: readonly core.$ZodIssue[]): { message: string; field?: string } {
  const fieldOf = (issue: core.$ZodIssue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    return path.length ? pathText(path) : undefined;
  };
  const shown = issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${pathText(issue.path)}: ${issue.message}` : issue.message));
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  const message = `${channel}: ${shown.join('; ')}${more}`;
  const field = issues[0] ? fieldOf(issues[0]) : undefined;
  return field ? { message, field } : { message };
}
