import type { EngineEvent, HostIdentity, ParsedParamsOf, RequestName, ResultOf } from '../../api';

/** What a handler may use besides its params: the event stream and who it runs in. */
export interface HandlerContext {
  emit(event: EngineEvent): void;
  readonly host: HostIdentity;
}

export type Handler<N extends RequestName> = (
  params: ParsedParamsOf<N>,
  context: HandlerContext,
) => ResultOf<N> | Promise<ResultOf<N>>;

/** A group of handlers (one file per concern); a request without a handler answers NOT_IMPLEMENTED. */
export type HandlerTable = { [N in RequestName]?: Handler<N> };
