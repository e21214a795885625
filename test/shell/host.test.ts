import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import packageJson from '../../package.json';
import { createClient, ErrorCode, RequestError, type EngineEvent, type HostMessage } from '../../core/api';
import { HostConnection, MAX_PENDING_REQUESTS } from '../../core/host/connection';
import { EngineHost } from '../../core/host/host';
import type { HandlerTable } from '../../core/host/handlers';
import type { HostPort } from '../../core/host/port';
import { startWorkerHost } from '../../core/host/worker';
import { AssertionError } from '../../core/util/assert';

/** An in-process port, to drive the host loop directly and see exactly what it posts. */
function memoryPort(): HostPort & { posted: HostMessage[]; deliver(raw: unknown): void } {
  let listener: (raw: unknown) => void = () => {};
  const posted: HostMessage[] = [];
  return {
    kind: 'worker',
    threadId: 0,
    posted,
    post: (message) => posted.push(message),
    onMessage: (l) => { listener = l; },
    deliver: (raw) => listener(raw),
  };
}

function clientOf(connection: HostConnection) {
  return createClient(connection.transport());
}

describe('engine host in a worker_thread', () => {
  let host: HostConnection | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('answers engine.info from another thread, naming itself and the package version', async () => {
    host = startWorkerHost();
    const info = await clientOf(host).call('engine.info', {});
    expect(info.version).toBe(packageJson.version);
    expect(info.levels).toEqual([4, 5]);
    expect(info.layouts).toContainEqual({ level: 5, algorithm: 2, name: 'left-symmetric' });
    expect(info.layouts.filter((layout) => layout.level === 5)).toHaveLength(6);
    expect(info.host.kind).toBe('worker');
    expect(info.host.pid).toBe(process.pid);
    expect(info.host.threadId).not.toBe(threadId);
  });

  it('echoes a ping nonce, so a reply cannot be confused with another', async () => {
    host = startWorkerHost();
    const client = clientOf(host);
    const [a, b] = await Promise.all([client.call('engine.ping', { nonce: 'a-1' }), client.call('engine.ping', { nonce: 'b-2' })]);
    expect([a.nonce, b.nonce]).toEqual(['a-1', 'b-2']);
    expect(a.handledAtMs).toBeGreaterThan(0);
  });

  it('refuses unknown requests and bad params with { code, message } instead of throwing in the relay', async () => {
    host = startWorkerHost();
    const unknown = await host.request('engine.explode', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: ErrorCode.UNKNOWN_REQUEST } });
    const bad = await host.request('engine.ping', { nonce: 42 });
    expect(bad).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_PARAMS } });
    await expect(clientOf(host).call('engine.ping', { nonce: '' })).rejects.toBeInstanceOf(RequestError);
  });

  it('answers HOST_DOWN once the host is terminated and tells listeners it exited', async () => {
    host = startWorkerHost();
    const events: EngineEvent[] = [];
    host.onEvent((event) => events.push(event));
    expect((await host.request('engine.info', {})).ok).toBe(true);
    await host.close();
    expect(host.alive).toBe(false);
    expect(await host.request('engine.info', {})).toMatchObject({ ok: false, error: { code: ErrorCode.HOST_DOWN } });
    expect(events).toContainEqual(expect.objectContaining({ type: 'host', state: 'exited' }));
  });
});

describe('host connection', () => {
  it('answers HOST_DOWN for every request still in flight when the host dies', async () => {
    let die: (reason: string) => void = () => {};
    const posted: unknown[] = [];
    const connection = new HostConnection({
      post: (message) => posted.push(message),
      onMessage: () => {},
      onExit: (listener) => { die = listener; },
      terminate: async () => {},
    });
    const inFlight = [connection.request('engine.info', {}), connection.request('engine.ping', { nonce: 'n' })];
    expect(posted).toHaveLength(2);
    die('killed by the test');
    for (const reply of await Promise.all(inFlight)) {
      expect(reply).toMatchObject({ ok: false, error: { code: ErrorCode.HOST_DOWN, message: expect.stringContaining('killed by the test') } });
    }
  });

  it('bounds the requests in flight', async () => {
    const connection = new HostConnection({ post: () => {}, onMessage: () => {}, onExit: () => {}, terminate: async () => {} });
    for (let i = 0; i < MAX_PENDING_REQUESTS; i++) void connection.request('engine.info', {});
    expect(await connection.request('engine.info', {})).toMatchObject({ ok: false, error: { code: 'BUSY' } });
  });
});

describe('engine host loop', () => {
  async function answer(handlers: HandlerTable, raw: unknown): Promise<HostMessage[]> {
    const port = memoryPort();
    new EngineHost(port, handlers).start();
    port.deliver(raw);
    await new Promise((resolve) => setTimeout(resolve, 0));
    return port.posted;
  }

  it('re-checks params itself, so a relay that forgot to validate cannot reach a handler', async () => {
    let called = false;
    const posted = await answer({ 'engine.ping': () => { called = true; throw new Error('unreachable'); } },
      { kind: 'request', id: 7, name: 'engine.ping', params: { nonce: 'x', extra: true } });
    expect(called).toBe(false);
    expect(posted).toEqual([expect.objectContaining({ kind: 'reply', id: 7, ok: false, error: expect.objectContaining({ code: ErrorCode.BAD_PARAMS }) })]);
  });

  it('passes a typed operating error through as its own code and marks an assertion as a bug', async () => {
    const refusal = Object.assign(new Error('mdadm: cannot fail the last working device.'), { code: 'REFUSED' });
    const refused = await answer({ 'engine.info': () => { throw refusal; } }, { kind: 'request', id: 1, name: 'engine.info', params: {} });
    expect(refused[0]).toMatchObject({ ok: false, error: { code: 'REFUSED', message: refusal.message } });
    const bug = await answer({ 'engine.info': () => { throw new AssertionError('stripe flags incoherent'); } },
      { kind: 'request', id: 2, name: 'engine.info', params: {} });
    expect(bug[0]).toMatchObject({ ok: false, error: { code: ErrorCode.BUG } });
  });

  it('refuses to send a result outside the contract and says which request broke it', async () => {
    const posted = await answer({ 'engine.info': () => ({ product: 'mdlab' }) as never }, { kind: 'request', id: 3, name: 'engine.info', params: {} });
    expect(posted[0]).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_RESULT, message: expect.stringContaining('engine.info') } });
  });

  it('answers NOT_IMPLEMENTED for a request in the contract without a handler', async () => {
    const posted = await answer({}, { kind: 'request', id: 4, name: 'engine.info', params: {} });
    expect(posted[0]).toMatchObject({ ok: false, error: { code: ErrorCode.NOT_IMPLEMENTED } });
  });

  it('ignores envelopes it cannot answer instead of crashing', async () => {
    expect(await answer({}, 'not an envelope')).toEqual([]);
    expect(await answer({}, { kind: 'request', id: -1, name: 'engine.info', params: {} })).toEqual([]);
  });
});
