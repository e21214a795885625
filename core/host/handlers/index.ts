import { arrayHandlers } from './array';
import { engineHandlers } from './engine';
import { layoutHandlers } from './layout';
import { sessionHandlers } from './session';
import type { HandlerTable } from './types';

/** Every handler group the engine host serves; add a group's table here when you add its file. */
export const allHandlers: HandlerTable = {
  ...engineHandlers,
  ...layoutHandlers,
  ...arrayHandlers,
  ...sessionHandlers,
};

export type { Handler, HandlerContext, HandlerTable } from './types';
