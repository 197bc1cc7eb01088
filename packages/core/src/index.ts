export * from './commands';
export * from './condition';
export * from './errors';
export * from './events';
export * from './extension';
export * from './model';
export * from './ports';
export * from './workflow';
