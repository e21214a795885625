/**
 * A block's bio parts chain through `next` (the kernel's bi_next), in arrival order. md lets one part
 * per block wait at a time today (a later bio waits for the block), so the chain's order is checked here.
 */
import { describe, expect, it } from 'vitest';
import { BioTracker, chainPart, type BioPart } from '../../../core/engine/raid5/bio';
import type { Bio } from '../../../core/engine/types';

function bio(sectors: number): Bio {
  return { op: 'write', sector: 0, data: new Uint8Array(sectors * 512), endIo: () => undefined };
}

function part(tracker: BioTracker, pageOffsetBytes: number): BioPart {
  return { tracker, bioOffsetBytes: pageOffsetBytes, pageOffsetBytes, lengthBytes: 512, next: null };
}

describe('bio parts', () => {
  it('chain in arrival order, each part once', () => {
    const tracker = new BioTracker(bio(8));
    const parts = [0, 1536, 512, 3584].map((at) => part(tracker, at));
    let head: BioPart | null = null;
    for (const p of parts) head = chainPart(head, p);
    const walked: number[] = [];
    for (let p = head; p !== null; p = p.next) walked.push(p.pageOffsetBytes);
    expect(walked).toEqual([0, 1536, 512, 3584]);
  });

});
