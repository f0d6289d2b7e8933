/** A labelled partner select, fed by /console/api/partners. */
import type { JSX } from 'preact';
import type { Partner } from '../api.js';
import { useApi } from '../hooks.js';

/** `value` '' means none chosen; `allowNone` adds that choice with `noneLabel`. */
export function PartnerPicker(props: {
  value: string;
  onChange: (id: string) => void;
  allowNone?: boolean;
  noneLabel?: string;
}): JSX.Element {
  const partners = useApi<Partner[]>('/partners');
  return (
    <label>
      Partner
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {(props.allowNone || props.value === '') && <option value="">{props.noneLabel ?? 'Choose a partner'}</option>}
        {(partners.data ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {p.name ? `${p.name} (${p.id})` : p.id}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Partners, for pages that need their releases too. */
export function usePartners(): Partner[] {
  return useApi<Partner[]>('/partners').data ?? [];
}
