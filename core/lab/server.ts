import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseRequestMessage, type EngineEvent } from '../api';
import type { HostConnection } from '../host/connection';
import { startWorkerHost } from '../host/worker';
import { isOwnHost, newToken, refuseUpgrade } from './guard';
import { serveStatic } from './static';

/** Larger frames are not requests a UI would send; refuse them before parsing. */
const MAX_FRAME_BYTES = 1 << 20;
/** Past this much unsent data a slow tab stops receiving progress and trace; it catches up from later snapshots. */
const MAX_BUFFERED_EVENT_BYTES = 8 << 20;

export interface LabHostOptions {
  /** Directory of the built renderer (out/renderer). */
  rendererDir: string;
  /** 0 or absent: a random free port. */
  port?: number;
  token?: string;
  /** How to start the engine host; tests pass their own to observe it. */
  startEngine?: () => HostConnection;
}

export interface LabHost {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly engine: HostConnection;
  close(): Promise<void>;
}

/**
 * The browser lab host: the built renderer over HTTP and the contract over a WebSocket, bound to
 * 127.0.0.1. The engine runs in its own worker so a resync never stalls this event loop.
 */
export async function startLabHost(options: LabHostOptions): Promise<LabHost> {
  const token = options.token ?? newToken();
  const engine = (options.startEngine ?? startWorkerHost)();
  const sockets = new Set<WebSocket>();
  let port = 0;

  const server = http.createServer((request, response) => {
    if (!isOwnHost(request, port)) {
      response.writeHead(403).end();
      return;
    }
    void serveStatic(options.rendererDir, request, response);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  server.on('upgrade', (request, socket: Duplex, head) => {
    const refusal = refuseUpgrade(request, port, token);
    if (refusal !== null) {
      socket.end(`HTTP/1.1 ${refusal} ${http.STATUS_CODES[refusal]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => serveSocket(ws));
  });

  const unsubscribe = engine.onEvent((event) => broadcast(event));

  function broadcast(event: EngineEvent): void {
    const frame = JSON.stringify({ kind: 'event', event });
    for (const ws of sockets) {
      const droppable = event.type === 'progress' || event.type === 'trace';
      if (droppable && ws.bufferedAmount > MAX_BUFFERED_EVENT_BYTES) continue;
      ws.send(frame);
    }
  }

  function serveSocket(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', async (data, isBinary) => {
      let raw: unknown;
      try {
        raw = isBinary ? undefined : JSON.parse(data.toString());
      } catch {
        raw = undefined;
      }
      const envelope = parseRequestMessage(raw);
      // Without an id there is nothing to reply to: the peer is not our renderer.
      if (!envelope.ok) {
        ws.close(1008, envelope.error.message);
        return;
      }
      const { id, name, params } = envelope.message;
      const reply = await engine.request(name, params);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ kind: 'reply', id, ...reply }));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    engine,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // The open session stops cleanly (superblocks clean, journal closed and synced) before the host goes.
      if (engine.alive) await engine.request('session.close', {});
      await engine.close();
    },
  };
}
