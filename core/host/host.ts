import {
  checkRequest, ErrorCode, failure, parseRequestMessage, requests,
  type EngineEvent, type HostIdentity, type Reply, type RequestMessage, type RequestName,
} from '../api';
import { toApiError } from './errors';
import type { Handler, HandlerContext, HandlerTable } from './handlers';
import type { HostPort } from './port';

/**
 * The engine host's message loop: one request in, one reply out, events whenever the engine has
 * something to say. It trusts nobody: relays validate too, but the host re-checks every request
 * against the contract and every result before it leaves.
 */
export class EngineHost {
  readonly identity: HostIdentity;
  private readonly context: HandlerContext;

  constructor(
    private readonly port: HostPort,
    private readonly handlers: HandlerTable,
  ) {
    this.identity = {
      kind: port.kind,
      pid: process.pid,
      threadId: port.threadId,
      nodeVersion: process.versions.node,
      startedAtMs: Date.now(),
    };
    this.context = { emit: (event) => this.emit(event), host: this.identity };
  }

  start(): void {
    this.port.onMessage((raw) => void this.receive(raw));
  }

  emit(event: EngineEvent): void {
    this.port.post({ kind: 'event', event });
  }

  private async receive(raw: unknown): Promise<void> {
    const envelope = parseRequestMessage(raw);
    // Without a valid id there is nobody to answer; the relay's own check makes this a bug upstream.
    if (!envelope.ok) return;
    const reply = await this.dispatch(envelope.message);
    this.port.post({ kind: 'reply', id: envelope.message.id, ...reply });
  }

  async dispatch(message: RequestMessage): Promise<Reply> {
    const checked = checkRequest(message.name, message.params);
    if (!checked.ok) return checked;
    const handler = this.handlers[checked.name] as Handler<RequestName> | undefined;
    if (!handler) return failure(ErrorCode.NOT_IMPLEMENTED, `The engine does not handle ${checked.name} yet.`);
    let result: unknown;
    try {
      result = await handler(checked.params as never, this.context);
    } catch (thrown) {
      return { ok: false, error: toApiError(thrown) };
    }
    const parsed = requests[checked.name].result.safeParse(result);
    if (!parsed.success) {
      return failure(ErrorCode.BAD_RESULT, `mdlab bug: the ${checked.name} handler returned a result outside the contract.`);
    }
    return { ok: true, result: parsed.data };
  }
}
