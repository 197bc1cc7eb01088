// store.bench.ts borrows store-postgres's throwaway PostgreSQL server (its test helper), which
// augments vitest's ProvidedContext; the bench does not install vitest, so name the module here.
declare module 'vitest' {
  export interface ProvidedContext {}
}
