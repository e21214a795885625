import packageJson from '../../../package.json';
import type { HandlerTable } from './types';

/** Levels the engine runs; RAID6 is out of scope for now (md-spec §3.4 is reference only). */
const SUPPORTED_LEVELS = [4, 5];
const METADATA_VERSIONS = ['1.2'];

export const engineHandlers: HandlerTable = {
  'engine.info': (_params, { host }) => ({
    product: 'mdlab',
    version: packageJson.version,
    levels: SUPPORTED_LEVELS,
    layouts: [],
    metadataVersions: METADATA_VERSIONS,
    host,
  }),
  'engine.ping': ({ nonce }, { host }) => ({ nonce, host, handledAtMs: Date.now() }),
};
