export * from './calendar';
export * from './evaluate';
export * from './extension';
export * from './policy';
