import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A fresh secret per run: whoever can open the printed URL may drive the engine, nobody else. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Decide whether a WebSocket upgrade may reach the engine. Returns null when allowed, else the
 * HTTP status to refuse with. Besides the token, the Host and Origin headers must name this
 * server, so a web page the user happens to visit cannot rebind a DNS name onto 127.0.0.1.
 */
export function refuseUpgrade(request: IncomingMessage, port: number, token: string): 401 | 403 | 404 | null {
  const url = new URL(request.url ?? '/', 'http://local');
  if (url.pathname !== '/ws') return 404;
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!allowedHosts.includes(request.headers.host ?? '')) return 403;
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedHosts.some((host) => origin === `http://${host}`)) return 403;
  const given = url.searchParams.get('token');
  if (given === null || !sameSecret(given, token)) return 401;
  return null;
}

/** Same Host check for plain HTTP requests. */
export function isOwnHost(request: IncomingMessage, port: number): boolean {
  const host = request.headers.host ?? '';
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}
