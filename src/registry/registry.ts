import type { ValidateFunction } from 'ajv';
import type { CompiledMapping } from '../mapping/engine.js';
import type { LookupTables } from '../mapping/lookups.js';
import type { BusinessFunction } from './registry-schemas.js';

export type FunctionMode = 'automated' | 'manual' | 'disabled';

/** One Sonata operation of one release, with everything compiled. */
export interface OperationDef {
  readonly operationId: string;
  readonly release: string;
  readonly apiName: string;
  readonly version: string;
  readonly method: string;
  readonly path: string;
  readonly pathPattern: RegExp;
  readonly pathParams: readonly string[];
  readonly function: BusinessFunction;
  readonly scope: string;
  readonly status: number;
  readonly statusExpression?: CompiledMapping;
  readonly requestSchema?: ValidateFunction;
  readonly request?: CompiledMapping;
  readonly backend?: string;
  readonly response?: CompiledMapping;
  readonly source: 'backend' | 'store';
  readonly collection?: string;
  readonly persist?: { readonly collection: string; readonly when?: CompiledMapping };
  readonly legacyFieldPaths: Readonly<Record<string, string>>;
}

export interface ApiDef {
  readonly name: string;
  readonly version: string;
  readonly operations: readonly OperationDef[];
}

export interface ReleaseDef {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly sdkFolder: string;
  readonly apis: ReadonlyMap<string, ApiDef>;
}

export interface LegacyOperationDef {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly request?: CompiledMapping;
  readonly response?: CompiledMapping;
  readonly safeToRetry: boolean;
}

export interface PartnerDef {
  readonly id: string;
  readonly name: string;
  readonly role: 'buyer' | 'seller' | 'both';
  readonly dir: string;
  readonly file: string;
  /** default release, plus per-API overrides */
  readonly release: string;
  readonly apiReleases: Readonly<Record<string, string>>;
  readonly buyerId?: string;
  readonly sellerId?: string;
  readonly testEnvironment: boolean;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly functions: ReadonlyMap<BusinessFunction, FunctionMode>;
  readonly mappings: ReadonlyMap<string, { readonly request?: CompiledMapping; readonly response?: CompiledMapping }>;
  readonly lookups: LookupTables;
}

/** One fixture file and the compiled mapping it exercises. */
export interface FixtureRef {
  readonly file: string;
  readonly ownerDir: string;
  readonly partnerId?: string;
}

/** An immutable snapshot of everything loaded from partners/ and mappings/. Reload swaps the whole thing. */
export interface Registry {
  readonly loadedAt: Date;
  readonly releases: ReadonlyMap<string, ReleaseDef>;
  readonly legacy: ReadonlyMap<string, LegacyOperationDef>;
  readonly partners: ReadonlyMap<string, PartnerDef>;
  readonly sharedLookups: LookupTables;
  /** every compiled mapping by absolute file path (fixtures and the CLI find them here) */
  readonly mappingsByFile: ReadonlyMap<string, CompiledMapping>;
  readonly fixtures: readonly FixtureRef[];
  partnerByClientId(clientId: string): PartnerDef | undefined;
  /** the release a partner speaks for an API */
  releaseFor(partner: PartnerDef, apiName: string): ReleaseDef | undefined;
}
