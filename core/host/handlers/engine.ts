import packageJson from '../../../package.json';
import { ALGORITHM, layoutName } from '../../format/layout';
import type { HandlerTable } from './types';

/** Levels the engine runs; RAID6 is out of scope for now (md-spec §3.4 is reference only). */
const SUPPORTED_LEVELS = [4, 5];
const METADATA_VERSIONS = ['1.2'];

/** Every layout the format layer maps, named as mdadm names them; RAID4 always puts parity last. */
const LAYOUTS = [
  ...Object.values(ALGORITHM).map((algorithm) => ({ level: 5, algorithm, name: layoutName(5, algorithm) })),
  { level: 4, algorithm: ALGORITHM.PARITY_N, name: layoutName(4, ALGORITHM.PARITY_N) },
];

export const engineHandlers: HandlerTable = {
  'engine.info': (_params, { host }) => ({
    product: 'mdlab',
    version: packageJson.version,
    levels: SUPPORTED_LEVELS,
    layouts: LAYOUTS,
    metadataVersions: METADATA_VERSIONS,
    host,
  }),
  'engine.ping': ({ nonce }, { host }) => ({ nonce, host, handledAtMs: Date.now() }),
};
