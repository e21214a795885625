/**
 * Which page may talk to the engine: our built renderer's index.html (any query or hash), or, in
 * `electron-vite dev` only, a page of the dev server's origin. Pure so it is tested under Node.
 */
export function isOwnRendererUrl(frameUrl: string, rendererIndexUrl: string, devRendererUrl: string | null): boolean {
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  if (devRendererUrl !== null && url.origin === new URL(devRendererUrl).origin) return true;
  url.hash = '';
  url.search = '';
  return url.protocol === 'file:' && url.href === rendererIndexUrl;
}
