/**
 * The seam between the lab session and the running engine (core/engine/array.ts, MdArray). Until the
 * engine's facade lands this refuses plainly, so the wizard and the contract can be used end to end and
 * the UI shows the reason instead of inventing an array.
 */
import { MdRefusal } from '../../md/errors';
import type { LabArray } from './session';

export function openEngineArray(imagePaths: readonly string[], id: string): LabArray {
  throw new MdRefusal(`The images of "${id}" are written (${imagePaths.length}), but this build's engine cannot run arrays yet.`);
}
