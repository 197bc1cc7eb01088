import { deskSearchCases } from './desk-search-cases';
import { inMemoryStore } from './memory';

deskSearchCases('memory', () => inMemoryStore());
