import { describe, expect, it } from 'vitest';
import { resolveLinkExpiry } from '../../../shared/links/link-expiry.ts';
import { attachmentDisposition } from '../../../shared/links/link-signer.ts';

const now = new Date('2026-11-22T10:00:00.750Z');
const WEEK = 7 * 24 * 3600;

describe('resolveLinkExpiry', () => {
  it('gives 15 minutes by default, counted from the signing second', () => {
    expect(resolveLinkExpiry({ now, maxSeconds: WEEK })).toEqual({
      ok: true,
      expiresIn: 900,
      expiresAt: new Date('2026-11-22T10:15:00Z'),
    });
  });

  it('gives the requested lifetime up to the maximum', () => {
    expect(resolveLinkExpiry({ now, maxSeconds: 3600, requestedSeconds: 3600 })).toMatchObject({
      ok: true,
      expiresIn: 3600,
    });
  });

  it.each([0, -5, 1.5, 3601])(
    'refuses a requested lifetime of %s seconds, naming the range',
    (requestedSeconds) => {
      expect(resolveLinkExpiry({ now, maxSeconds: 3600, requestedSeconds })).toEqual({
        ok: false,
        problem: 'expiresIn must be a whole number of seconds from 1 to 3600',
      });
    },
  );

  it('never allows more than 7 days, whatever the configured maximum', () => {
    expect(
      resolveLinkExpiry({ now, maxSeconds: 30 * 24 * 3600, requestedSeconds: WEEK + 1 }),
    ).toMatchObject({
      ok: false,
      problem: `expiresIn must be a whole number of seconds from 1 to ${WEEK}`,
    });
  });

  it('cuts the lifetime short to when the signing credentials expire', () => {
    expect(
      resolveLinkExpiry({
        now,
        maxSeconds: WEEK,
        requestedSeconds: 86_400,
        credentialsExpiration: new Date('2026-11-22T11:00:00.750Z'),
      }),
    ).toEqual({ ok: true, expiresIn: 3600, expiresAt: new Date('2026-11-22T11:00:00Z') });
  });

  it('refuses to sign with credentials that have expired', () => {
    expect(
      resolveLinkExpiry({
        now,
        maxSeconds: WEEK,
        credentialsExpiration: new Date('2026-11-22T10:00:00Z'),
      }),
    ).toEqual({ ok: false, problem: 'the signing credentials have expired' });
  });
});

describe('attachmentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name', () => {
    expect(attachmentDisposition('Bericht "Q3" – Übersicht.pdf')).toBe(
      `attachment; filename="Bericht _Q3_ _ _bersicht.pdf"; filename*=UTF-8''Bericht%20%22Q3%22%20%E2%80%93%20%C3%9Cbersicht.pdf`,
    );
  });
});
