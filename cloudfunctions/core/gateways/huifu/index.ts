export * from './errors';
export * from './money';
export * from './json';
export * from './envelope';
export * from './notify';
export * from './client';
