import { deskSearchProperty } from './desk-search-property';
import { inMemoryStore } from './memory';

deskSearchProperty('memory', () => inMemoryStore(), 80);
