// Per-type limit tables (wire.md §6, WIRE-LIM-1..4).
import { describe, expect, it } from 'vitest';
import {
  clientLimit,
  frameLimitFor,
  GLOBAL_PAYLOAD_CEILING,
  NEXUSD_LIMITS,
  nexusdExactLimits,
  overLimitProbeLength,
  PADDED_LIMITS,
  SPEC_LIMITS,
  undeterminedLimit,
} from '../../src/protocol/limits.ts';
import { CLIENT_TYPES } from '../../src/protocol/types.ts';

describe('limit tables', () => {
  it('spec limits match WIRE-LIM-4', () => {
    expect(SPEC_LIMITS).toEqual({
      Handshake: 129,
      Login: 178015,
      UserList: 95,
      UserInfo: 225,
      UserAway: 608,
      UserBack: 83,
      UserStatus: 609,
      UserCreate: 2277,
      UserEdit: 225,
      UserUpdate: 3497,
      UserDelete: 227,
      UserKick: 225,
      ServerInfoUpdate: 719304,
      ConnectionMonitor: 92,
    });
  });

  it('nexusd exact limits with N = 27 match the derived column (WIRE-LIM-1)', () => {
    expect(NEXUSD_LIMITS).toEqual({
      Handshake: 65,
      Login: 176991,
      UserList: 31,
      UserInfo: 65,
      UserAway: 160,
      UserBack: 19,
      UserStatus: 161,
      UserCreate: 1349,
      UserEdit: 65,
      UserUpdate: 1705,
      UserDelete: 67,
      UserKick: 65,
      ServerInfoUpdate: 700455,
      ConnectionMonitor: 28,
    });
    // 35 bytes per permission name: only UserCreate / UserUpdate depend on N.
    expect(nexusdExactLimits(30).UserCreate).toBe(404 + 35 * 30);
    expect(nexusdExactLimits(30).UserUpdate).toBe(760 + 35 * 30);
    expect(nexusdExactLimits(30).Login).toBe(176991);
  });

  it('padded limits match the later column (UserKick 2 550, ×6/5 elsewhere)', () => {
    expect(PADDED_LIMITS.UserKick).toBe(2550);
    expect(PADDED_LIMITS.UserCreate).toBe(1618);
    expect(PADDED_LIMITS.UserUpdate).toBe(2046);
    expect(PADDED_LIMITS.ServerInfoUpdate).toBe(841875);
    expect(PADDED_LIMITS.Login).toBe(212389);
    expect(PADDED_LIMITS.ConnectionMonitor).toBe(33);
  });

  it('clientLimit picks the profile table', () => {
    for (const t of CLIENT_TYPES) {
      expect(clientLimit(t, 'spec')).toBe(SPEC_LIMITS[t]);
      expect(clientLimit(t, 'nexusd')).toBe(NEXUSD_LIMITS[t]);
      // The spec limit admits every nexusd-valid frame (WIRE-LIM-4 widens, never narrows).
      expect(SPEC_LIMITS[t]).toBeGreaterThan(NEXUSD_LIMITS[t]);
    }
  });

  it('frameLimitFor: client types limited, other names unlimited at this layer (WIRE-FRM-6)', () => {
    expect(frameLimitFor('nexusd')('UserKick')).toBe(65);
    expect(frameLimitFor('spec')('UserKick')).toBe(225);
    expect(frameLimitFor('spec')('UserListResponse')).toBe(0);
  });

  it('over-limit probe lengths exceed 2 × spec and padded limits (WIRE-LIM-2)', () => {
    for (const t of CLIENT_TYPES) {
      const n = overLimitProbeLength(t);
      expect(n).toBeGreaterThan(2 * SPEC_LIMITS[t]);
      expect(n).toBeGreaterThan(PADDED_LIMITS[t]);
      expect(n).toBeLessThanOrEqual(GLOBAL_PAYLOAD_CEILING);
    }
    expect(overLimitProbeLength('UserKick')).toBe(2551);
    expect(overLimitProbeLength('Handshake')).toBe(259);
  });

  it('the undetermined range (UND-11) runs from above the profile limit to just below the probes', () => {
    for (const t of CLIENT_TYPES) {
      expect(undeterminedLimit(t, 'nexusd')).toBe(PADDED_LIMITS[t]);
      expect(undeterminedLimit(t, 'spec')).toBe(overLimitProbeLength(t) - 1);
      for (const p of ['spec', 'nexusd'] as const) expect(undeterminedLimit(t, p)).toBeGreaterThan(clientLimit(t, p));
    }
  });

  it('global ceiling is the 10-digit maximum (WIRE-FRM-5)', () => {
    expect(GLOBAL_PAYLOAD_CEILING).toBe(9_999_999_999);
  });
});
