import { describe, expect, it } from 'vitest';
import { MAX_TAG_LENGTH, MAX_TAGS } from './records.ts';
import { checkTags, parseTagList } from './tags.ts';

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);

describe('checkTags', () => {
  it('trims, cleans terminal escapes and line breaks, and drops repeats case-insensitively (first spelling wins)', () => {
    expect(checkTags([' Baseline ', 'adam', 'baseline', '\u001b[31mred\u001b[0m', 'two\nlines'])).toEqual({
      tags: ['Baseline', 'adam', 'red', 'two lines'],
    });
    expect(checkTags([])).toEqual({ tags: [] });
  });

  it('names the entry and the reason', () => {
    expect(checkTags('a,b')).toEqual({ error: 'tags must be an array of strings (got "a,b")' });
    expect(checkTags(['ok', 3])).toEqual({ error: 'tags[1] must be a string (got 3)' });
    expect(checkTags(['ok', '  '])).toEqual({ error: 'tags[1] must not be empty' });
    const long = 'x'.repeat(MAX_TAG_LENGTH + 1);
    expect(checkTags([long])).toEqual({
      error: `tags[0] must be at most ${MAX_TAG_LENGTH} characters (got ${MAX_TAG_LENGTH + 1}: "${'x'.repeat(40)}…")`,
    });
    expect(checkTags(['y'.repeat(MAX_TAG_LENGTH)])).toEqual({ tags: ['y'.repeat(MAX_TAG_LENGTH)] });
  });

  it(`allows ${MAX_TAGS} distinct tags, counted after repeats are dropped, and refuses a huge list before reading it`, () => {
    expect(checkTags(numbered(MAX_TAGS + 1))).toEqual({
      error: `tags must hold at most ${MAX_TAGS} tags (got ${MAX_TAGS + 1})`,
    });
    expect(checkTags([...numbered(MAX_TAGS), ...numbered(MAX_TAGS)])).toEqual({ tags: numbered(MAX_TAGS) });
    const huge = new Array<unknown>(1_000_000).fill(7);
    expect(checkTags(huge)).toEqual({ error: `tags must hold at most ${MAX_TAGS} tags (got 1000000)` });
  });
});

describe('parseTagList', () => {
  it('splits a typed list on commas and skips empty pieces, then applies the same rule', () => {
    expect(parseTagList(' baseline, adam ,, Baseline,  ')).toEqual({ tags: ['baseline', 'adam'] });
    expect(parseTagList('')).toEqual({ tags: [] });
    expect(parseTagList(numbered(MAX_TAGS + 1).join(','))).toEqual({
      error: `tags must hold at most ${MAX_TAGS} tags (got ${MAX_TAGS + 1})`,
    });
  });

  it('counts the tags from 1 in its messages, as the form shows them', () => {
    const long = 'x'.repeat(MAX_TAG_LENGTH + 1);
    expect(parseTagList(`ok, ${long}`)).toEqual({
      error: `tag 2 must be at most ${MAX_TAG_LENGTH} characters (got ${MAX_TAG_LENGTH + 1}: "${'x'.repeat(40)}…")`,
    });
  });
});
