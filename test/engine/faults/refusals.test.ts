/**
 * Refusals (issue #5 §5): each is one sentence, mdadm's where mdadm has one, and nothing on disk changes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MdRefusal } from '../../../core/md/errors';
import { createArrayIn, imagesIn, MiB, sha256, useTempDirs } from '../md/helpers';

const dir = useTempDirs();

function imagesSha(images: readonly string[]): string[] {
  return images.map((f) => sha256(fs.readFileSync(f)));
}

describe('md refuses, changing nothing on disk', () => {
  it('failing a member of an array that has already failed', () => {
    const d = dir('refuse-fail');
    const array = createArrayIn(d, { assumeClean: true });
    array.fail(1);
    array.fail(2);
    array.waitIdleSync();
    const before = imagesSha(imagesIn(d));
    expect(() => array.fail(3)).toThrow(MdRefusal);
    expect(() => array.fail(3)).toThrow(/^set device faulty failed for disk3\.img: {2}Device or resource busy$/);
    expect(imagesSha(imagesIn(d))).toEqual(before);
  });

  it('adding a member that is too small, removing an active one, re-adding one of another array', () => {
    const d = dir('refuse-add');
    const other = dir('refuse-other');
    const array = createArrayIn(d, { assumeClean: true });
    createArrayIn(other, { assumeClean: true, name: 'other' }).stop();
    const small = path.join(d, 'small.img');
    fs.writeFileSync(small, Buffer.alloc(0));
    fs.truncateSync(small, 2 * MiB);
    const before = imagesSha([...imagesIn(d), ...imagesIn(other)]);
    expect(() => array.add(small)).toThrow(/^small\.img not large enough to join array$/);
    expect(() => array.remove(0)).toThrow(/^hot remove failed for disk0\.img: Device or resource busy$/);
    array.fail(0);
    array.remove(0);
    expect(() => array.reAdd(imagesIn(other)[0])).toThrow(MdRefusal);
    expect(() => array.reAdd(imagesIn(other)[0])).toThrow(/--re-add for disk0\.img to md\d* is not possible/);
    expect(imagesSha(imagesIn(other))).toEqual(before.slice(imagesIn(d).length));
    array.stop();
  });
});
