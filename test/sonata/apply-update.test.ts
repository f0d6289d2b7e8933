import { describe, expect, it } from 'vitest';
import { applyUpdate, createResourceDoc } from '../../src/sonata/resources/apply-update.js';

const T0 = '2026-11-25T10:00:00.000Z';
const T1 = '2026-11-25T11:00:00.000Z';

function order() {
  return createResourceDoc(
    {
      externalId: 'X-1',
      legacyRef: 'ORD-1',
      items: [
        { id: '1', legacyRef: 'L1' },
        { id: '2', legacyRef: 'L2', state: 'inProgress' },
      ],
    },
    { id: 'o-1', partnerId: 'acme', resource: 'productOrder', now: T0 },
  );
}

describe('kept resource documents', () => {
  it('a new document starts in its initial state with one history entry, items too', () => {
    const doc = order();
    expect(doc).toMatchObject({
      id: 'o-1',
      partnerId: 'acme',
      state: 'acknowledged',
      stateChange: [{ state: 'acknowledged', changeDate: T0 }],
      createdAt: T0,
    });
    expect(doc.items![0]).toMatchObject({
      id: '1',
      state: 'acknowledged',
      stateChange: [{ state: 'acknowledged', changeDate: T0 }],
    });
    expect(doc.items![1]!.state).toBe('inProgress');
  });

  it('a state change appends history and emits one event; the same report again changes nothing', () => {
    const first = applyUpdate(order(), { state: 'inProgress', changeReason: 'validated' }, T1);
    expect(first.doc.state).toBe('inProgress');
    expect(first.doc.stateChange).toEqual([
      { state: 'acknowledged', changeDate: T0 },
      { state: 'inProgress', changeDate: T1, changeReason: 'validated' },
    ]);
    expect(first.events).toEqual([{ kind: 'state', resourceId: 'o-1', state: 'inProgress', at: T1 }]);
    const again = applyUpdate(first.doc, { state: 'inProgress' }, T1);
    expect(again.events).toEqual([]);
    expect(again.doc.stateChange).toHaveLength(2);
  });

  it('items are matched by legacy reference or id; unknown items are counted, not invented', () => {
    const r = applyUpdate(
      order(),
      {
        items: [
          { legacyRef: 'L1', state: 'completed', fields: { completionDate: T1 } },
          { id: '9', state: 'failed' },
        ],
      },
      T1,
    );
    expect(r.doc.items![0]).toMatchObject({ state: 'completed', completionDate: T1 });
    expect(r.doc.items).toHaveLength(2);
    expect(r.unmatchedItems).toBe(1);
    expect(r.events).toEqual([{ kind: 'itemState', resourceId: 'o-1', itemId: '1', state: 'completed', at: T1 }]);
  });

  it('a watched item field set or changed is an event of its own; the same value again is not', () => {
    const watch = { watchItemFields: ['expectedCompletionDate'] };
    const set = applyUpdate(order(), { items: [{ legacyRef: 'L1', fields: { expectedCompletionDate: T1, note: 'x' } }] }, T1, watch);
    expect(set.events).toEqual([
      {
        kind: 'itemField',
        resourceId: 'o-1',
        itemId: '1',
        field: 'expectedCompletionDate',
        state: 'acknowledged',
        at: T1,
      },
      // the latest date over the items moved too (Billie's order-level expectedCompletionDate)
      { kind: 'latestItemField', resourceId: 'o-1', field: 'expectedCompletionDate', state: 'acknowledged', at: T1 },
    ]);
    expect(applyUpdate(set.doc, { items: [{ legacyRef: 'L1', fields: { expectedCompletionDate: T1 } }] }, T1, watch).events).toEqual([]);
    expect(applyUpdate(order(), { items: [{ legacyRef: 'L1', fields: { expectedCompletionDate: T1 } }] }, T1).events).toEqual([]);
  });

  it('fields merge shallowly, null removes, and identity/history fields cannot be overwritten', () => {
    const r = applyUpdate(
      order(),
      { fields: { expectedCompletionDate: T1, externalId: null, id: 'hijack', partnerId: 'globex', stateChange: [] } },
      T1,
    );
    expect(r.doc.expectedCompletionDate).toBe(T1);
    expect('externalId' in r.doc).toBe(false);
    expect(r.doc.id).toBe('o-1');
    expect(r.doc.partnerId).toBe('acme');
    expect(r.doc.stateChange).toHaveLength(1);
  });

  it('ignores a report older than the last one applied (replayed journal, late callback)', () => {
    const newer = applyUpdate(order(), { sequence: 10, state: 'completed' }, T1);
    expect(newer.doc.lastSequence).toBe(10);
    const older = applyUpdate(newer.doc, { sequence: 7, state: 'inProgress' }, T1);
    expect(older.doc.state).toBe('completed');
    expect(older.events).toEqual([]);
    expect(applyUpdate(newer.doc, { sequence: 10, state: 'inProgress' }, T1).doc.state).toBe('completed');
    // reports without a sequence (actions, staff) still apply
    expect(applyUpdate(newer.doc, { fields: { note: 'x' } }, T1).doc.note).toBe('x');
  });

  it('does not mutate the stored document it was given', () => {
    const doc = order();
    const copy = JSON.parse(JSON.stringify(doc));
    applyUpdate(doc, { state: 'completed', items: [{ id: '1', state: 'completed' }] }, T1);
    expect(doc).toEqual(copy);
  });
});
