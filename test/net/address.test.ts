import { describe, expect, it } from 'vitest';
import { TargetError, formatTarget, parseTarget } from '../../src/net/address.ts';

describe('parseTarget', () => {
  it.each([
    ['localhost:7500', 'localhost', 7500],
    ['bbs.example.org:1', 'bbs.example.org', 1],
    ['bbs.example.org.:65535', 'bbs.example.org.', 65535],
    ['127.0.0.1:7500', '127.0.0.1', 7500],
    ['  10.0.0.2:80 ', '10.0.0.2', 80],
    ['[::1]:7500', '::1', 7500],
    ['[2001:db8::7]:443', '2001:db8::7', 443],
    ['my-host:007', 'my-host', 7],
  ])('accepts %s', (input, host, port) => {
    expect(parseTarget(input)).toEqual({ host, port });
  });

  it.each([
    ['', /empty/],
    ['localhost', /missing port/],
    ['localhost:', /missing port/],
    [':7500', /missing host/],
    ['localhost:0', /out of range/],
    ['localhost:65536', /out of range/],
    ['localhost:99999', /out of range/],
    ['localhost:123456', /not a decimal number/],
    ['localhost:-1', /not a decimal number/],
    ['localhost:75a0', /not a decimal number/],
    ['::1:7500', /\[addr\]:port/],
    ['[::1]', /missing port/],
    ['[::1:7500', /missing '\]'/],
    ['[1.2.3.4]:7500', /not an IPv6 address/],
    ['[::1]x7500', /missing port/],
    ['1.2.3.999:7500', /not an IPv4 address/],
    ['bad_host:7500', /not a valid hostname/],
    ['-lead:7500', /not a valid hostname/],
    ['a..b:7500', /not a valid hostname/],
    ['http://host:7500', /URL schemes/],
  ])('rejects %j', (input, why) => {
    let err: unknown;
    try {
      parseTarget(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TargetError);
    expect((err as TargetError).message).toMatch(why);
    expect((err as TargetError).input).toBe(input);
    expect((err as TargetError).message).not.toContain('\n');
  });

  it('formatTarget round-trips, bracketing IPv6', () => {
    for (const s of ['localhost:7500', '127.0.0.1:1', '[::1]:7500']) expect(formatTarget(parseTarget(s))).toBe(s);
  });
});
