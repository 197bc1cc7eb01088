// The project list. vitest 4 ignores this file by name, so the root vitest.config.ts imports it
// as `test.projects`; each entry's own config uses `defineProject`.
export default ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts'];
