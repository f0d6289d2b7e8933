import express, { type Router } from 'express';
import type { AssetStore } from './asset.js';
import { requireLegacyCustomer, type LegacyCustomerRecord } from './customer.js';
import { LegacyNotFoundError, mountLegacyReads, pageLegacyList, PAGING_FIELDS, type LegacyFieldReader } from './legacy-request.js';
import { checkUniqueSeedKey, readSeedFile } from './seed-file.js';

/** Incident types: `PW` planned works, `NF` network fault (repair), `IW` installation works. */
export type IncidentType = 'PW' | 'NF' | 'IW';

/** Incident status codes: `NEW` announced, `ACT` in progress, `END` finished. */
export type IncidentStatus = 'NEW' | 'ACT' | 'END';

/** A network incident as seeded in `incidents.yaml` (read-only at run time). */
export interface LegacyIncidentRecord {
  readonly INC_NO: string;
  readonly INC_TYPE: IncidentType;
  readonly INC_STATUS: IncidentStatus;
  readonly TITLE: string;
  readonly DESCRIPTION: string;
  /** `DOWN`, `DEGR` (degraded) or `INTM` (intermittent). */
  readonly IMPACT: 'DOWN' | 'DEGR' | 'INTM';
  /** 1 (extensive) .. 4 (minor). */
  readonly SEVERITY: number;
  readonly START_TS: string;
  readonly PLANNED_END: string | null;
  readonly END_TS: string | null;
  readonly LAST_UPD: string;
  /** Every affected asset, all customers; answers show only the caller's. */
  readonly AFFECTED: readonly string[];
}

/** File name of the incident seed inside the simulator's data folder. */
export const INCIDENT_SEED_FILE_NAME = 'incidents.yaml';

const INC_NO_PATTERN = /^INC-\d{4}-\d{6}$/;
const FIELDS = [
  'INC_NO',
  'INC_TYPE',
  'INC_STATUS',
  'TITLE',
  'DESCRIPTION',
  'IMPACT',
  'SEVERITY',
  'START_TS',
  'PLANNED_END',
  'END_TS',
  'LAST_UPD',
  'AFFECTED',
];

/** Reads and validates `<dataDir>/incidents.yaml`; affected assets must exist in the asset seed. */
export function loadIncidentSeed(dataDir: string, assetIds: ReadonlySet<string>): readonly LegacyIncidentRecord[] {
  const root = readSeedFile(dataDir, INCIDENT_SEED_FILE_NAME).allowOnly(['incidents']);
  const seen = new Map<string, number>();
  return Object.freeze(
    root.list('incidents').map((item) => {
      const entry = item.asMap().allowOnly(FIELDS);
      const incNo = entry.text('INC_NO');
      if (!INC_NO_PATTERN.test(incNo)) entry.required('INC_NO').fail(`must look like INC-2026-000017, got ${incNo}`);
      checkUniqueSeedKey(seen, incNo, entry.required('INC_NO'));
      const status = entry.code('INC_STATUS', ['NEW', 'ACT', 'END'] as const);
      const end = entry.optionalTimestamp('END_TS');
      if ((status === 'END') !== (end !== null)) entry.fail('END_TS is required for END incidents and only for them');
      const affected = entry.list('AFFECTED').map((value) => {
        const assetId = value.asText();
        if (!assetIds.has(assetId)) value.fail(`unknown asset ${assetId} (not in assets.yaml)`);
        return assetId;
      });
      if (affected.length === 0) entry.fail('AFFECTED: list is empty');
      return Object.freeze({
        INC_NO: incNo,
        INC_TYPE: entry.code('INC_TYPE', ['PW', 'NF', 'IW'] as const),
        INC_STATUS: status,
        TITLE: entry.text('TITLE'),
        DESCRIPTION: entry.text('DESCRIPTION'),
        IMPACT: entry.code('IMPACT', ['DOWN', 'DEGR', 'INTM'] as const),
        SEVERITY: entry.integer('SEVERITY', 1, 4),
        START_TS: entry.timestamp('START_TS'),
        PLANNED_END: entry.optionalTimestamp('PLANNED_END'),
        END_TS: end,
        LAST_UPD: entry.timestamp('LAST_UPD'),
        AFFECTED: Object.freeze(affected),
      });
    }),
  );
}

/** The first unfinished incident affecting an asset, if any (faults on that asset link to it). */
export function findOpenIncident(incidents: readonly LegacyIncidentRecord[], assetId: string): LegacyIncidentRecord | undefined {
  return incidents.find((incident) => incident.INC_STATUS !== 'END' && incident.AFFECTED.includes(assetId));
}

const SEARCH_FIELDS = ['CUST_NO', 'INC_STATUS', 'INC_TYPE', 'ASSET_ID', ...PAGING_FIELDS];

/**
 * The incident domain, mounted under `/bss/v2/incidents`: list and inquiry. A customer sees an
 * incident only if it affects one of its assets, and `AFFECTED` lists only those.
 */
export function createIncidentRouter(options: {
  readonly customers: ReadonlyMap<string, LegacyCustomerRecord>;
  readonly incidents: readonly LegacyIncidentRecord[];
  readonly assets: AssetStore;
}): Router {
  const router = express.Router();
  const ownAssets = (incident: LegacyIncidentRecord, custNo: string): string[] =>
    incident.AFFECTED.filter((assetId) => options.assets.get(assetId)?.CUST_NO === custNo);
  const render = (incident: LegacyIncidentRecord, custNo: string): Record<string, unknown> => ({
    ...incident,
    AFFECTED: ownAssets(incident, custNo),
  });

  mountLegacyReads(router, {
    searchFields: SEARCH_FIELDS,
    search(reader: LegacyFieldReader) {
      const customer = requireLegacyCustomer(reader, options.customers);
      const status = reader.code('INC_STATUS', ['NEW', 'ACT', 'END'] as const);
      const type = reader.code('INC_TYPE', ['PW', 'NF', 'IW'] as const);
      const assetId = reader.text('ASSET_ID', 10);
      const matches = options.incidents.filter((incident) => {
        const mine = ownAssets(incident, customer.CUST_NO);
        return (
          mine.length > 0 &&
          (status === undefined || incident.INC_STATUS === status) &&
          (type === undefined || incident.INC_TYPE === type) &&
          (assetId === undefined || mine.includes(assetId))
        );
      });
      const { page, ...paging } = pageLegacyList(reader, matches);
      return { ...paging, INCIDENTS: page.map((incident) => render(incident, customer.CUST_NO)) };
    },
    idField: 'INC_NO',
    idMaxLength: 20,
    inquire(reader, incNo) {
      const customer = requireLegacyCustomer(reader, options.customers);
      const incident = options.incidents.find((candidate) => candidate.INC_NO === incNo);
      if (!incident || ownAssets(incident, customer.CUST_NO).length === 0) throw new LegacyNotFoundError('incident unknown');
      return { INCIDENT: render(incident, customer.CUST_NO) };
    },
  });
  return router;
}
