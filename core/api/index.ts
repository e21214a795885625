/** The typed contract between the UI and the engine host. Renderer code imports only this folder. */
export * from './errors';
export * from './snapshot';
export * from './events';
export * from './requests';
export * from './lab';
export * from './session';
export * from './wire';
export * from './client';
export * from './bridge';
