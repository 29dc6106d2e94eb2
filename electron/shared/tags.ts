// The one rule for run tags, applied by the store (so by the CLI and IPC too) and by the renderer's forms, so
// a tag the Train form accepts is never refused at Start and the CLI and the app keep the same limits.
import { MAX_TAG_LENGTH, MAX_TAGS } from './records.ts';
import { singleLine } from './plain-text.ts';
import { describeValue as describe } from './request-checks.ts';

export type TagsCheck = { tags: string[] } | { error: string };

/** How messages name the list and one of its tags: the store's "tags", "tags[3]" by default. */
export interface TagNaming {
  list: string;
  item(index: number): string;
}
const STORE_NAMING: TagNaming = { list: 'tags', item: (index) => `tags[${index}]` };

/** A raw tag this long is refused unread: escapes and spaces never make up this much of a 40-character tag. */
const MAX_RAW_TAG_LENGTH = MAX_TAG_LENGTH * 25;

/**
 * Cleans each tag like a name (escape sequences and control characters removed, one line), trims it, refuses an
 * empty or overlong one, and drops duplicates case-insensitively (the first spelling wins). At most MAX_TAGS
 * distinct tags; a huge list or tag is refused before it is read, so it costs nothing.
 */
export function checkTags(value: unknown, naming: TagNaming = STORE_NAMING): TagsCheck {
  const must = (subject: string, rule: string) => ({ error: [subject, `must ${rule}`].filter(Boolean).join(' ') });
  if (!Array.isArray(value)) return must(naming.list, `be an array of strings (got ${describe(value)})`);
  if (value.length > MAX_TAGS * 4) return must(naming.list, `hold at most ${MAX_TAGS} tags (got ${value.length})`);
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const [index, raw] of value.entries()) {
    const name = naming.item(index);
    if (typeof raw !== 'string') return must(name, `be a string (got ${describe(raw)})`);
    const tag = raw.length > MAX_RAW_TAG_LENGTH ? raw : singleLine(raw).trim();
    if (tag === '') return must(name, 'not be empty');
    if (tag.length > MAX_TAG_LENGTH) {
      return must(name, `be at most ${MAX_TAG_LENGTH} characters (got ${tag.length}: ${describe(tag)})`);
    }
    const key = tag.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      tags.push(tag);
    }
  }
  if (tags.length > MAX_TAGS) return must(naming.list, `hold at most ${MAX_TAGS} tags (got ${tags.length})`);
  return { tags };
}

/** A comma-separated list as typed in a form ("a, b ,, c"): empty pieces are skipped, then checkTags. */
export function parseTagList(text: string): TagsCheck {
  const pieces = text
    .split(',')
    .map((piece) => piece.trim())
    .filter(Boolean);
  // A form shows no indexes: it counts its tags from 1.
  return checkTags(pieces, { list: 'tags', item: (index) => `tag ${index + 1}` });
}
