import { isTesseraError } from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replyAddress, replyToken, verifyReplyToken } from './reply-token';

const secret = 'a-long-enough-test-secret';

describe('reply tokens', () => {
  it('round-trips any ticket id, also after a mail server lower-cases it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), (id) => {
        const token = replyToken(id, secret);
        expect(token).toMatch(/^[a-z2-7]+\.[a-z2-7]{16}$/);
        expect(verifyReplyToken(token, secret)).toBe(id);
        expect(verifyReplyToken(token.toUpperCase(), secret)).toBe(id);
      }),
    );
  });

  it('writes UUID ticket ids compactly, so the reply address fits the 64-character local part', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.boolean(), (raw, upper) => {
        const id = upper ? raw.toUpperCase() : raw;
        const token = replyToken(id, secret);
        expect(verifyReplyToken(token, secret)).toBe(id);
        expect(verifyReplyToken(token.toUpperCase(), secret)).toBe(id);
        if (!upper) {
          expect(token).toMatch(/^0[a-z2-7]{26}\.[a-z2-7]{16}$/);
          const address = replyAddress('Customer Support <customer-support@example.com>', id, secret);
          const local = /<(.*)@/.exec(address)![1]!;
          expect(local.length).toBeLessThanOrEqual(64);
        }
      }),
    );
    // A compact token whose id part was cut or padded is refused.
    const token = replyToken('9b2f1c7e-3d4a-4b5c-8d6e-7f8091a2b3c4', secret);
    expect(verifyReplyToken(token.slice(0, 20) + token.slice(27), secret)).toBeUndefined();
    expect(verifyReplyToken(`0a${token.slice(1)}`, secret)).toBeUndefined();
  });

  it('refuses a token signed with another secret, a tampered id or garbage', () => {
    const token = replyToken('T-1', secret);
    expect(verifyReplyToken(token, 'another-secret-of-length')).toBeUndefined();
    const forged = `${replyToken('T-2', secret).split('.')[0]}.${token.split('.')[1]}`;
    expect(verifyReplyToken(forged, secret)).toBeUndefined();
    expect(verifyReplyToken('garbage', secret)).toBeUndefined();
    expect(verifyReplyToken('', secret)).toBeUndefined();
  });

  it('puts the token in the address, keeping the display name', () => {
    const a = replyAddress('Support <help@example.com>', 'T-1', secret);
    expect(a).toBe(`Support <help+${replyToken('T-1', secret)}@example.com>`);
  });

  it('refuses a short secret with a ConfigError', () => {
    expect(() => replyToken('T-1', 'short')).toThrow(expect.objectContaining({ code: 'config' }));
    try {
      replyToken('T-1', 'short');
    } catch (e) {
      expect(isTesseraError(e, 'config')).toBe(true);
    }
  });

  it('signs with the secret of each call, though the keyed hash of the last secret is kept', () => {
    const bytes = new TextEncoder().encode('another-long-enough-secret');
    // Fixed values: HMAC-SHA256 computed afresh for every token, as before the keyed hash was kept.
    expect(replyToken('T-1', secret)).toBe('kqwtc.zxcjel6ns4eim6ee');
    expect(replyToken('T-1', bytes)).toBe('kqwtc.bfwvnzdu4xlaslba');
    expect(replyToken('T-1', secret)).toBe('kqwtc.zxcjel6ns4eim6ee');
    expect(verifyReplyToken('kqwtc.bfwvnzdu4xlaslba', bytes)).toBe('T-1');
    // The same array rewritten in place is another key: the kept one must not be used.
    bytes[0]! ^= 1;
    expect(verifyReplyToken('kqwtc.bfwvnzdu4xlaslba', bytes)).toBeUndefined();
    expect(replyToken('T-1', bytes)).toBe('kqwtc.ibb7zlkjeyujytrb');
    // A short secret is refused whatever secret came before it, string or bytes.
    expect(() => replyToken('T-1', '')).toThrow(expect.objectContaining({ code: 'config' }));
    replyToken('T-1', secret);
    expect(() => verifyReplyToken('kqwtc.zxcjel6ns4eim6ee', new Uint8Array(4))).toThrow(
      expect.objectContaining({ code: 'config' }),
    );
  });
});
