// The functions under test, from source (tests and the conformance script share this door).

export { isTesseraError as isTesseraErrorLike } from '@tessera/core';
export * from '../src/index';
