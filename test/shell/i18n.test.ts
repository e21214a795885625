import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const catalogueDir = path.resolve(import.meta.dirname, '..', '..', 'renderer', 'src', 'i18n');

/** Dotted paths of every leaf message, e.g. "engine.ping". */
function keysOf(messages: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null ? keysOf(value as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

function load(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(catalogueDir, file), 'utf8'));
}

function messageAt(messages: Record<string, unknown>, key: string): string {
  return String(key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], messages));
}

/** {name} placeholders, which a translation must keep or the UI shows the raw braces. */
function placeholders(messages: Record<string, unknown>, key: string): string[] {
  return [...messageAt(messages, key).matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
}

describe('i18n catalogues', () => {
  const files = readdirSync(catalogueDir).filter((file) => file.endsWith('.json'));
  const english = load('en.json');

  it('include English and Simplified Chinese', () => {
    expect(files.sort()).toEqual(['en.json', 'zh-CN.json']);
  });

  it.each(files.filter((file) => file !== 'en.json'))('%s has exactly the keys and placeholders of en.json', (file) => {
    const other = load(file);
    expect(keysOf(other).sort()).toEqual(keysOf(english).sort());
    for (const key of keysOf(english)) expect([key, ...placeholders(other, key)]).toEqual([key, ...placeholders(english, key)]);
  });

  it('has no empty message', () => {
    for (const file of files) {
      const messages = load(file);
      const empty = keysOf(messages).filter((key) => messageAt(messages, key).trim() === '');
      expect(empty, file).toEqual([]);
    }
  });
});
