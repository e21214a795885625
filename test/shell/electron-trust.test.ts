import { describe, expect, it } from 'vitest';
import { isOwnRendererUrl } from '../../electron/main/trust';

const INDEX = 'file:///opt/mdlab/resources/app.asar/out/renderer/index.html';

describe('which frame Electron main lets talk to the engine', () => {
  it('accepts our built renderer, with or without a query or hash', () => {
    expect(isOwnRendererUrl(INDEX, INDEX, null)).toBe(true);
    expect(isOwnRendererUrl(`${INDEX}?panel=trace#stripe-8`, INDEX, null)).toBe(true);
    // URL parsing resolves dot segments, so a spelled-out detour still names the same file.
    expect(isOwnRendererUrl('file:///opt/mdlab/resources/app.asar/out/renderer/../renderer/index.html', INDEX, null)).toBe(true);
  });

  it('refuses any other file, a look-alike path and any web page', () => {
    expect(isOwnRendererUrl('file:///etc/passwd', INDEX, null)).toBe(false);
    expect(isOwnRendererUrl(`${INDEX}.evil.html`, INDEX, null)).toBe(false);
    expect(isOwnRendererUrl('https://example.com/out/renderer/index.html', INDEX, null)).toBe(false);
    expect(isOwnRendererUrl('not a url', INDEX, null)).toBe(false);
  });

  it('accepts the dev server only in dev, and only its exact origin', () => {
    const dev = 'http://localhost:5173/';
    expect(isOwnRendererUrl('http://localhost:5173/index.html', INDEX, null)).toBe(false);
    expect(isOwnRendererUrl('http://localhost:5173/index.html', INDEX, dev)).toBe(true);
    expect(isOwnRendererUrl('http://localhost:5173.evil.example/', INDEX, dev)).toBe(false);
    expect(isOwnRendererUrl('http://localhost:5174/', INDEX, dev)).toBe(false);
  });
});
