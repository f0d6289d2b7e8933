import { randomUUID } from 'node:crypto';
import type { MappingFunction } from './mapping-function.js';

/** Random RFC 4122 version 4 UUID, e.g. for ids the gateway assigns to partner orders. */
export function mapUuid(): string {
  return randomUUID();
}

export const identifierFunctions: readonly MappingFunction[] = [{ name: 'uuid', implementation: mapUuid, signature: '<:s>' }];
