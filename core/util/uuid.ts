/** md UUIDs are 16 raw bytes; mdadm prints them as four 8-hex-digit groups joined by ':'. */
import { randomBytes } from 'node:crypto';
import { assert } from './assert';

export function uuidText(bytes: Uint8Array): string {
  assert(bytes.byteLength === 16, 'a UUID is 16 bytes');
  return Buffer.from(bytes).toString('hex').match(/.{8}/g)!.join(':');
}

/** Accepts mdadm's colon form and the usual dashed form; null when the text is not a UUID. */
export function parseUuid(text: string): Uint8Array | null {
  const hex = text.replace(/[:\-. ]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function randomUuid(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}
