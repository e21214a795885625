import { ErrorCode, failure, type Reply, type RequestName, type Transport } from '../../../core/api';

/** The lab host's WebSocket address for the page it served, carrying the page's token along. */
export function labSocketUrl(location: Location): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`;
}

const LOST_MESSAGE =
  'Lost the connection to the lab host (or it refused this page): open the URL that `npm run lab` printed, which carries the access token.';

/**
 * In a browser: the contract over the lab host's WebSocket. The socket opens on first use; when it
 * closes, requests in flight fail with DISCONNECTED and the next request opens a new one.
 */
export function socketTransport(url: string): Transport {
  let socket: WebSocket | null = null;
  let nextId = 1;
  const pending = new Map<number, (reply: Reply) => void>();
  const listeners = new Set<(event: unknown) => void>();

  function receive(data: unknown): void {
    let message: { kind?: unknown; id?: unknown; event?: unknown } & Record<string, unknown>;
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    if (message.kind === 'event') {
      for (const listener of listeners) listener(message.event);
    } else if (message.kind === 'reply' && typeof message.id === 'number') {
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      resolve?.(message as unknown as Reply);
    }
  }

  function lost(): void {
    socket = null;
    for (const resolve of pending.values()) resolve(failure(ErrorCode.DISCONNECTED, LOST_MESSAGE));
    pending.clear();
    for (const listener of listeners) listener({ type: 'host', state: 'exited', message: LOST_MESSAGE });
  }

  function open(): WebSocket {
    if (socket) return socket;
    const opened = new WebSocket(url);
    opened.addEventListener('message', (event) => receive(event.data));
    opened.addEventListener('close', () => {
      if (socket === opened) lost();
    });
    socket = opened;
    return opened;
  }

  function send(ws: WebSocket, frame: string): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    else ws.addEventListener('open', () => ws.send(frame), { once: true });
  }

  return {
    invoke(name: RequestName, params: unknown): Promise<Reply> {
      const ws = open();
      const id = nextId++;
      return new Promise<Reply>((resolve) => {
        pending.set(id, resolve);
        send(ws, JSON.stringify({ kind: 'request', id, name, params }));
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      open();
      return () => listeners.delete(listener);
    },
  };
}
