/**
 * API reference: the OpenAPI documents this gateway serves (each release's official files with our errata), and a
 * compact renderer of the chosen one: operations by path, their parameters, bodies and responses, and the schemas.
 * Own renderer rather than Swagger UI or Redoc: those weigh megabytes and want inline scripts or eval (docs/console.md).
 */
import type { JSX } from 'preact';
import { query, type ContractIndex } from '../api.js';
import { href, useApi } from '../hooks.js';
import { LoadState } from '../ui.js';

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

function obj(v: unknown): Json {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

/** `#/api?doc=<release>/<api>`. */
export function ApiReferencePage(props: { params: URLSearchParams }): JSX.Element {
  const index = useApi<ContractIndex>('/openapi');
  const chosen = props.params.get('doc') ?? '';
  const doc = useApi<Json>(chosen ? `/openapi/${chosen.split('/').map(encodeURIComponent).join('/')}.json` : undefined);
  return (
    <section aria-labelledby="api-title">
      <h1 id="api-title">API reference</h1>
      <LoadState loaded={index}>
        {(i) =>
          !i.available ? (
            <p role="status" class="panel">
              No OpenAPI documents are served: {i.reason}
            </p>
          ) : (
            <label>
              Document
              <select
                value={chosen}
                onChange={(e) => {
                  window.location.hash = `${href('api')}${query({ doc: e.currentTarget.value })}`;
                }}
              >
                <option value="">Choose a document</option>
                {i.documents.map((d) => (
                  <option key={`${d.release}/${d.api}`} value={`${d.release}/${d.api}`}>
                    {d.release} · {d.api} ({d.version})
                  </option>
                ))}
              </select>
            </label>
          )
        }
      </LoadState>
      {chosen && <LoadState loaded={doc}>{(d) => <OpenApiDocument doc={d} />}</LoadState>}
    </section>
  );
}

function refName(ref: unknown): string | undefined {
  return typeof ref === 'string' ? ref.split('/').pop() : undefined;
}

/** A schema in one line: `Ref`, `array of Ref`, `string (date-time)`, `one of A | B`. */
function schemaLabel(s: unknown): string {
  const o = obj(s);
  const ref = refName(o.$ref);
  if (ref) return ref;
  if (o.type === 'array') return `array of ${schemaLabel(o.items)}`;
  for (const k of ['oneOf', 'anyOf', 'allOf'] as const) {
    if (Array.isArray(o[k]))
      return `${k === 'allOf' ? 'all of' : 'one of'} ${(o[k] as unknown[]).map(schemaLabel).join(k === 'allOf' ? ' & ' : ' | ')}`;
  }
  const type = typeof o.type === 'string' ? o.type : 'object';
  return o.format ? `${type} (${String(o.format)})` : Array.isArray(o.enum) ? `${type}: ${o.enum.join(' | ')}` : type;
}

function bodySchemas(content: unknown): string {
  return Object.entries(obj(content))
    .map(([media, m]) => `${media}: ${schemaLabel(obj(m).schema)}`)
    .join('; ');
}

function OpenApiDocument(props: { doc: Json }): JSX.Element {
  const info = obj(props.doc.info);
  const paths = obj(props.doc.paths);
  const schemas = obj(obj(props.doc.components).schemas);
  return (
    <article class="openapi" aria-label="OpenAPI document">
      <h2>
        {String(info.title ?? 'Untitled')} <span class="muted">{String(info.version ?? '')}</span>
      </h2>
      <h3>Operations</h3>
      {Object.entries(paths).map(([path, item]) =>
        METHODS.filter((m) => obj(item)[m]).map((m) => {
          const op = obj(obj(item)[m]);
          const params = [...((obj(item).parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])].map(obj);
          return (
            <details key={`${m} ${path}`} class="operation">
              <summary>
                <span class={`method method-${m}`}>{m.toUpperCase()}</span> <code>{path}</code> {String(op.summary ?? '')}
              </summary>
              {op.operationId !== undefined && <p class="muted">operationId {String(op.operationId)}</p>}
              {op.description !== undefined && <p class="description">{String(op.description)}</p>}
              {params.length > 0 && (
                <ul>
                  {params.map((p, i) => (
                    <li key={i}>
                      <code>{String(p.name ?? refName(p.$ref) ?? '?')}</code> {p.in ? `in ${String(p.in)}` : ''}{' '}
                      {p.required ? 'required' : ''} {p.schema ? schemaLabel(p.schema) : ''}
                    </li>
                  ))}
                </ul>
              )}
              {op.requestBody !== undefined && <p>Body: {bodySchemas(obj(op.requestBody).content) || refName(obj(op.requestBody).$ref)}</p>}
              <ul>
                {Object.entries(obj(op.responses)).map(([status, r]) => (
                  <li key={status}>
                    <strong>{status}</strong> {String(obj(r).description ?? refName(obj(r).$ref) ?? '')} {bodySchemas(obj(r).content)}
                  </li>
                ))}
              </ul>
            </details>
          );
        }),
      )}
      <h3>Schemas</h3>
      {Object.entries(schemas).map(([name, s]) => (
        <details key={name} class="schema" id={`schema-${name}`}>
          <summary>
            <code>{name}</code> <span class="muted">{schemaLabel(s)}</span>
          </summary>
          <SchemaProperties schema={obj(s)} schemas={schemas} />
        </details>
      ))}
    </article>
  );
}

/** The schema and, through `allOf`, the schemas it extends (by `$ref` into components), flattened. */
function schemaParts(schema: Json, schemas: Json, seen: Set<string> = new Set()): Json[] {
  const parts: Json[] = [schema];
  for (const part of ((schema.allOf as unknown[]) ?? []).map(obj)) {
    const ref = refName(part.$ref);
    if (ref === undefined) parts.push(...schemaParts(part, schemas, seen));
    else if (!seen.has(ref) && schemas[ref]) {
      seen.add(ref);
      parts.push(...schemaParts(obj(schemas[ref]), schemas, seen));
    }
  }
  return parts;
}

function SchemaProperties(props: { schema: Json; schemas: Json }): JSX.Element {
  const parts = schemaParts(props.schema, props.schemas);
  const required = new Set(parts.flatMap((p) => (Array.isArray(p.required) ? (p.required as string[]) : [])));
  const properties = parts.flatMap((p) => Object.entries(obj(p.properties)));
  if (properties.length === 0) return <p class="muted">{String(props.schema.description ?? 'No properties.')}</p>;
  return (
    <table>
      <tbody>
        {properties.map(([name, p]) => (
          <tr key={name}>
            <td>
              <code>{name}</code>
              {required.has(name) ? ' *' : ''}
            </td>
            <td>{schemaLabel(p)}</td>
            <td class="small">{String(obj(p).description ?? '')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
