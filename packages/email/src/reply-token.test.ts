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
});
