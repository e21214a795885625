/** The fault layer under every member: see docs/ARCHITECTURE.md, "Fault layer". */
export { applyBitFlips, bitrotPlacements } from './bitrot';
export { type FaultView, FaultyDevice, type FaultyDeviceOptions, type IoCounters, type IoObserver, type IoOp, completionTimeMs } from './faulty-device';
export { type InFlightWrite, PowerCutDomain, PowerCutHalt, type PowerCutOptions, type PowerCutReport } from './power-cut';
export { Prng, hashLabel, mix32 } from './prng';
export { SectorSet } from './sector-set';
export * from './spec';
export * from './timeline';
export { describeScheduledTrigger, describeTrigger, parseTrigger } from './trigger-text';
export { FaultLayer, type FaultLayerOptions, type FaultLayerSnapshot } from './layer';
export { ImageFaultLayer, type ImageFaultLayerOptions, type PowerCutHooks } from './image-faults';
