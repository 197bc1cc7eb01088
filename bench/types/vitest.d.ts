// store.bench.ts borrows store-postgres's throwaway PostgreSQL server (its test helper), which
// augments vitest's ProvidedContext; the bench does not install vitest, so name the module here.
declare module 'vitest' {
  // biome-ignore lint/suspicious/noEmptyInterface: the helper adds its members
  export interface ProvidedContext {}
}
