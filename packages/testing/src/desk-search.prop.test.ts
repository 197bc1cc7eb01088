import { inMemoryStore } from '@tessera/core';
import { deskSearchProperty } from './desk-search-property';

deskSearchProperty('memory', () => inMemoryStore(), 80);
