import {
  checkRequest, ErrorCode, failure, HostMessageSchema,
  type EngineEvent, type Reply, type RequestMessage, type RequestName, type Transport,
} from '../api';

/** The relay's end of a channel to an engine host (utilityProcess, worker_thread). */
export interface HostChannel {
  post(message: RequestMessage): void;
  onMessage(listener: (raw: unknown) => void): void;
  /** Called once when the host is gone, for whatever reason. */
  onExit(listener: (reason: string) => void): void;
  terminate(): Promise<void>;
}

/** Bounds the requests in flight so a runaway UI cannot grow the relay's memory without limit. */
export const MAX_PENDING_REQUESTS = 256;

/**
 * What a relay (Electron main, the lab host, tests) holds: request/reply matching by id, the event
 * fan-out, and a clean HOST_DOWN answer for everything in flight when the host goes away.
 */
export class HostConnection {
  private nextId = 0;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private exitReason: string | null = null;

  constructor(private readonly channel: HostChannel) {
    channel.onMessage((raw) => this.receive(raw));
    channel.onExit((reason) => this.hostExited(reason));
  }

  get alive(): boolean {
    return this.exitReason === null;
  }

  /** Validates against the contract before anything is sent: the relay is the first gate. */
  request(name: unknown, params: unknown): Promise<Reply> {
    const checked = checkRequest(name, params);
    if (!checked.ok) return Promise.resolve(checked);
    if (this.exitReason !== null) return Promise.resolve(this.hostDownReply());
    if (this.pending.size >= MAX_PENDING_REQUESTS) {
      return Promise.resolve(failure('BUSY', `The engine host already has ${MAX_PENDING_REQUESTS} requests in flight.`));
    }
    const id = this.nextId++;
    return new Promise<Reply>((resolve) => {
      this.pending.set(id, resolve);
      this.channel.post({ kind: 'request', id, name: checked.name satisfies RequestName, params: checked.params });
    });
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** This connection as a client transport: `createClient(host.transport())` in Node code and tests. */
  transport(): Transport {
    return {
      invoke: (name, params) => this.request(name, params),
      subscribe: (listener) => this.onEvent(listener),
    };
  }

  async close(): Promise<void> {
    await this.channel.terminate();
  }

  private receive(raw: unknown): void {
    const parsed = HostMessageSchema.safeParse(raw);
    if (!parsed.success) {
      console.error('mdlab: the engine host sent a message outside the contract', parsed.error.issues[0]);
      return;
    }
    const message = parsed.data;
    if (message.kind === 'event') {
      this.broadcast(message.event);
      return;
    }
    const resolve = this.pending.get(message.id);
    if (!resolve) return;
    this.pending.delete(message.id);
    resolve(message.ok ? { ok: true, result: message.result } : { ok: false, error: message.error });
  }

  private hostExited(reason: string): void {
    if (this.exitReason !== null) return;
    this.exitReason = reason;
    for (const resolve of this.pending.values()) resolve(this.hostDownReply());
    this.pending.clear();
    this.broadcast({ type: 'host', state: 'exited', message: `The engine host stopped: ${reason}` });
  }

  private hostDownReply(): Reply {
    return failure(ErrorCode.HOST_DOWN, `The engine host is not running (${this.exitReason}).`);
  }

  private broadcast(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
