/**
 * The contracts we serve: each release's and API's official OpenAPI document from the MEF SDK folder (never copied
 * into this repository), with our errata (mappings/spec-errata.yaml) applied, as JSON at
 * `/openapi/<release>/<api>.json`, listed at `/openapi`. Public: the standard is public, and a partner's developer
 * reads it before having a token. Each document is built on first request and kept in memory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response } from 'express';
import { parse } from 'yaml';
import { GatewayError } from '../errors/catalogue.js';
import { sdkReleases, type SonataRelease } from './openapi-validator.js';
import { applySpecErrata, errataFor, type SpecErratum } from './spec-errata.js';
import { listApiFiles, type ApiFileEntry } from './spec-files.js';

/** One entry of `/openapi`. */
export interface ContractEntry {
  release: SonataRelease;
  api: string;
  /** `info.version` of the file */
  version: string;
  href: string;
}

export interface ContractLibrary {
  /** the served documents, or why there are none */
  index(): { available: true; documents: ContractEntry[] } | { available: false; reason: string };
  /** the document as JSON text, errata applied; undefined when there is no such document */
  document(release: string, api: string): string | undefined;
}

const INFO_VERSION = /^info:[^\n]*\n(?:[ \t][^\n]*\n|\n)*?[ \t]+version:[ \t]*['"]?([^'"\n]+?)['"]?[ \t]*$/m;

/** Reads the SDK folder lazily: nothing is read before the first request, each file once. */
export function createContractLibrary(opts: { sdkDir?: string; errata: readonly SpecErratum[] }): ContractLibrary {
  let entries: Map<string, { release: SonataRelease; entry: ApiFileEntry; version: string }> | undefined;
  let unavailable: string | undefined;
  const documents = new Map<string, string>();

  const load = () => {
    if (entries || unavailable) return;
    const present = sdkReleases(opts.sdkDir);
    if (!opts.sdkDir || present.length === 0) {
      unavailable = `the Sonata SDK folder ${opts.sdkDir ?? '(sdkDir unset)'} is not there: no OpenAPI documents are served (set sdkDir or SONATA_SDK_DIR)`;
      return;
    }
    entries = new Map();
    for (const release of present) {
      for (const entry of listApiFiles(join(opts.sdkDir, release))) {
        const version = INFO_VERSION.exec(readFileSync(entry.file, 'utf8'))?.[1] ?? entry.major;
        entries.set(`${release}/${entry.apiName}`, { release, entry, version });
      }
    }
  };

  return {
    index() {
      load();
      if (!entries) return { available: false, reason: unavailable! };
      return {
        available: true,
        documents: [...entries.values()].map(({ release, entry, version }) => ({
          release,
          api: entry.apiName,
          version,
          href: `/openapi/${release}/${entry.apiName}.json`,
        })),
      };
    },
    document(release, api) {
      load();
      const key = `${release}/${api}`;
      const found = entries?.get(key);
      if (!found) return undefined;
      let text = documents.get(key);
      if (text === undefined) {
        const doc = parse(readFileSync(found.entry.file, 'utf8')) as Record<string, unknown>;
        const errata = errataFor(opts.errata, found.release, found.entry.apiName);
        const components = (doc.components ?? {}) as Record<string, unknown>;
        applySpecErrata((components.schemas ?? {}) as Record<string, unknown>, errata, found.entry.file);
        // say what differs from the official file, and where it comes from
        if (errata.length)
          doc['x-sonata-gateway-errata'] = errata.map((e) => ({
            id: e.id,
            schema: e.schema,
            notRequired: e.notRequired,
            why: e.why,
          }));
        text = JSON.stringify(doc);
        documents.set(key, text);
      }
      return text;
    },
  };
}

/** `GET /openapi` (the index) and `GET /openapi/<release>/<api>.json`; 404 for anything else. */
export function createContractsRouter(library: ContractLibrary): express.Router {
  const router = express.Router();
  router.get('/', (_req: Request, res: Response) => {
    res.locals.route = 'openapi.index';
    const index = library.index();
    if (!index.available) {
      res.status(200).json({ available: false, reason: index.reason, documents: [] });
      return;
    }
    res.status(200).json({ available: true, documents: index.documents });
  });
  router.get('/:release/:file', (req: Request, res: Response) => {
    res.locals.route = 'openapi.document';
    const m = /^([A-Za-z0-9]+)\.json$/.exec(String(req.params.file));
    const text = m ? library.document(String(req.params.release), m[1]!) : undefined;
    if (text === undefined) throw new GatewayError('route.not-found', `No OpenAPI document ${req.params.release}/${req.params.file}`);
    res.status(200).setHeader('Content-Type', 'application/json; charset=utf-8');
    res.send(text);
  });
  return router;
}
