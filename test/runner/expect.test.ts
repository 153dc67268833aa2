// The structured expectations of the scenario DSL (src/runner/expect.ts): what each matcher
// accepts, and the failure a mismatch becomes (rule, sent, every allowed value, actual).
import { describe, expect, it } from 'vitest';
import {
  ANY,
  NONE,
  bodyFailures,
  including,
  matches,
  not,
  noteSent,
  ofLength,
  oneOf,
  setOf,
  valueFailure,
  where,
} from '../../src/runner/expect.ts';

describe('matches', () => {
  it('compares plain values for equality and arrays in order', () => {
    expect(matches(1, 1)).toBe(true);
    expect(matches('a', 'A')).toBe(false);
    expect(matches(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(matches(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(matches(['a'], ['a', 'b'])).toBe(false);
  });

  it('matches objects by their listed fields only', () => {
    expect(matches({ a: 1 }, { a: 1, b: 2 })).toBe(true);
    expect(matches({ a: 1, c: 3 }, { a: 1, b: 2 })).toBe(false);
    expect(matches([{ a: 1 }], [{ a: 1, b: 2 }])).toBe(true);
    expect(matches({ a: 1 }, null)).toBe(false);
  });

  it('ANY needs a value, NONE accepts absent and null alike (WIRE-JSON-5)', () => {
    expect(matches({ a: ANY }, { a: 0 })).toBe(true);
    expect(matches({ a: ANY }, {})).toBe(false);
    expect(matches({ a: ANY }, { a: null })).toBe(false);
    expect(matches({ a: NONE }, {})).toBe(true);
    expect(matches({ a: NONE }, { a: null })).toBe(true);
    expect(matches({ a: NONE }, { a: '' })).toBe(false);
  });

  it('oneOf, setOf, including, ofLength, not and where', () => {
    expect(matches(oneOf(['x', NONE]), undefined)).toBe(true);
    expect(matches(oneOf(['x', NONE]), 'y')).toBe(false);
    expect(matches(setOf(['a', 'b']), ['b', 'a'])).toBe(true);
    expect(matches(setOf(['a', 'b']), ['a'])).toBe(false);
    expect(matches(setOf(['a']), 'a')).toBe(false);
    expect(matches(including(['a']), ['b', 'a'])).toBe(true);
    expect(matches(including(['c']), ['b', 'a'])).toBe(false);
    expect(matches(ofLength(2), [null, 1])).toBe(true);
    expect(matches(ofLength(2), [1])).toBe(false);
    expect(matches(not('x'), 'y')).toBe(true);
    expect(matches(not('x'), 'x')).toBe(false);
    expect(
      matches(
        where('even', (v) => Number(v) % 2 === 0),
        4,
      ),
    ).toBe(true);
  });
});

describe('failures', () => {
  const reply = () => {
    const r = { type: 'UserEditResponse', id: '0a1b2c3d4e5f', body: { username: 'Ann', is_admin: true, permissions: ['x'] } };
    noteSent(r, 'NX|8|UserEdit|0a1b2c3d4e5f|…');
    return r;
  };

  it('one failure per field that does not fit, with the request, every allowed value and what came back', () => {
    const failures = bodyFailures(reply(), { username: 'Ann', is_admin: false, permissions: setOf(['x', 'y']) }, 'ADM-EDIT-6', 'flags');
    expect(failures).toEqual([
      {
        rule: 'ADM-EDIT-6',
        sent: 'NX|8|UserEdit|0a1b2c3d4e5f|…',
        expected: ['is_admin: false'],
        note: 'flags',
        actual: 'is_admin: true in UserEditResponse',
      },
      {
        rule: 'ADM-EDIT-6',
        sent: 'NX|8|UserEdit|0a1b2c3d4e5f|…',
        expected: ['permissions: ["x","y"] in any order'],
        note: 'flags',
        actual: 'permissions: ["x"] in UserEditResponse',
      },
    ]);
  });

  it('a frame is matched with its type; nested objects of a reply keep the request they answer', () => {
    const r = reply();
    expect(bodyFailures(r, { type: 'UserEditResponse', username: 'Ann' }, 'R')).toEqual([]);
    expect(bodyFailures(r, { type: 'Error' }, 'R')[0]?.actual).toBe('type: "UserEditResponse" in UserEditResponse');
    expect(valueFailure(r.body.permissions, [], 'GEN-8', 'the permissions')).toEqual({
      rule: 'GEN-8',
      sent: 'NX|8|UserEdit|0a1b2c3d4e5f|…',
      expected: ['[]'],
      note: 'the permissions',
      actual: '["x"]',
    });
  });

  it('shows a whole reply as its frame line', () => {
    const f = valueFailure(reply(), { type: 'Error' }, 'ADM-EDIT-1', 'the answer');
    expect(f?.actual).toMatch(/^NX\|16\|UserEditResponse\|0a1b2c3d4e5f\|\d+\|\{"username":"Ann",/);
    expect(f?.expected).toEqual(['{"type":"Error"}']);
  });

  it('lists every allowed value of oneOf, and says when nothing came back', () => {
    const f = valueFailure('c', oneOf(['a', 'b']), 'UND-4', 'the status');
    expect(f?.expected).toEqual(['"a"', '"b"']);
    expect(f?.sent).toBe('(a value the check computed)');
    expect(valueFailure('a', oneOf(['a', 'b']), 'UND-4', 'the status')).toBeUndefined();
    const none = bodyFailures(null, { success: true }, 'WIRE-SEQ-8');
    expect(none).toEqual([{ rule: 'WIRE-SEQ-8', sent: '(a value the check computed)', expected: ['success: true'], actual: 'nothing' }]);
  });

  it('masks passwords in what it shows', () => {
    const f = valueFailure({ password: 'secret' }, { password: 'other' }, 'R', 'the body');
    expect(JSON.stringify(f)).not.toContain('secret');
    const g = bodyFailures({ password: 'secret' }, { password: 'other' }, 'R');
    expect(g).toHaveLength(1);
    expect(JSON.stringify(g)).not.toMatch(/secret|other/);
  });
});
