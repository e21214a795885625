import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ErrorCode } from '../../core/api';
import { startLabHost, type LabHost } from '../../core/lab/server';

const INDEX_HTML = '<!doctype html><title>mdlab test renderer</title>';

/** Open a WebSocket and report how the server answered the upgrade: 'open' or the HTTP status. */
function tryConnect(url: string, headers: Record<string, string> = {}): Promise<{ status: 'open' | number; ws: WebSocket }> {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ status: 'open', ws }));
    ws.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode ?? 0, ws }));
    ws.once('error', () => resolve({ status: -1, ws }));
  });
}

function nextMessage(ws: WebSocket, predicate: (message: any) => boolean): Promise<any> {
  return new Promise((resolve) => {
    const listener = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString());
      if (predicate(message)) {
        ws.off('message', listener);
        resolve(message);
      }
    };
    ws.on('message', listener);
  });
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    }).on('error', reject);
  });
}

describe('browser lab host', () => {
  let lab: LabHost;
  let wsBase: string;

  beforeAll(async () => {
    const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'mdlab-lab-'));
    writeFileSync(path.join(rendererDir, 'index.html'), INDEX_HTML);
    lab = await startLabHost({ rendererDir });
    wsBase = `ws://127.0.0.1:${lab.port}/ws`;
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('listens on 127.0.0.1 at a random port and prints a URL carrying a fresh token', () => {
    expect(lab.port).toBeGreaterThan(0);
    expect(lab.url).toBe(`http://127.0.0.1:${lab.port}/?token=${lab.token}`);
    expect(lab.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves the renderer with a CSP header and refuses to leave its folder', async () => {
    const index = await get(`http://127.0.0.1:${lab.port}/`);
    expect(index.status).toBe(200);
    expect(index.body).toBe(INDEX_HTML);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    const escape = await get(`http://127.0.0.1:${lab.port}/..%2f..%2fetc%2fpasswd`);
    expect([403, 404]).toContain(escape.status);
    expect(escape.body).not.toContain('root:');
  });

  it('refuses a WebSocket without the token, with a wrong token, or from a foreign origin', async () => {
    expect((await tryConnect(wsBase)).status).toBe(401);
    expect((await tryConnect(`${wsBase}?token=${lab.token.slice(1)}x`)).status).toBe(401);
    expect((await tryConnect(`${wsBase}?token=${lab.token}`, { Origin: 'http://evil.example' })).status).toBe(403);
  });

  it('round-trips engine.info through the engine host once the token is given', async () => {
    const { status, ws } = await tryConnect(`${wsBase}?token=${lab.token}`, { Origin: `http://127.0.0.1:${lab.port}` });
    expect(status).toBe('open');
    const reply = nextMessage(ws, (m) => m.kind === 'reply' && m.id === 5);
    ws.send(JSON.stringify({ kind: 'request', id: 5, name: 'engine.info', params: {} }));
    const message = await reply;
    expect(message.ok).toBe(true);
    expect(message.result.host.kind).toBe('worker');
    ws.close();
  });

  it('answers bad params as a normal reply and hangs up on frames that are not requests', async () => {
    const { ws } = await tryConnect(`${wsBase}?token=${lab.token}`);
    const reply = nextMessage(ws, (m) => m.id === 1);
    ws.send(JSON.stringify({ kind: 'request', id: 1, name: 'engine.ping', params: {} }));
    expect(await reply).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_PARAMS } });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('this is not json');
    expect(await closed).toBe(1008);
  });
});

describe('browser lab host when the engine host dies', () => {
  it('tells connected tabs and answers HOST_DOWN', async () => {
    const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'mdlab-lab-'));
    const lab = await startLabHost({ rendererDir });
    try {
      const { ws } = await tryConnect(`ws://127.0.0.1:${lab.port}/ws?token=${lab.token}`);
      const exited = nextMessage(ws, (m) => m.kind === 'event' && m.event.type === 'host');
      await lab.engine.close();
      expect((await exited).event).toMatchObject({ type: 'host', state: 'exited' });
      const reply = nextMessage(ws, (m) => m.id === 9);
      ws.send(JSON.stringify({ kind: 'request', id: 9, name: 'engine.info', params: {} }));
      expect(await reply).toMatchObject({ ok: false, error: { code: ErrorCode.HOST_DOWN } });
      ws.close();
    } finally {
      await lab.close();
    }
  });
});
