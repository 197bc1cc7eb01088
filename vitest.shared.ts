import { fileURLToPath } from 'node:url';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

/**
 * Tests import sibling packages from source, so a change in one package is seen by the tests of
 * another without a build in between.
 */
export const alias = {
  '@tessera/core': pkg('core'),
  '@tessera/sla': pkg('sla'),
  '@tessera/rules': pkg('rules'),
  '@tessera/email': pkg('email'),
  '@tessera/store-sql': pkg('store-sql'),
  '@tessera/store-sqlite': pkg('store-sqlite'),
  '@tessera/store-postgres': pkg('store-postgres'),
  '@tessera/mail-smtp': pkg('mail-smtp'),
  '@tessera/testing': pkg('testing'),
  '@tessera/reports': pkg('reports'),
};
