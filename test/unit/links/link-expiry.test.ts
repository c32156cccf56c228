import { describe, expect, it } from 'vitest';
import { resolveLinkExpiry } from '../../../shared/links/link-expiry.ts';
import { attachmentDisposition } from '../../../shared/links/link-signer.ts';

const now = new Date('2026-11-22T10:00:00.750Z');

describe('resolveLinkExpiry', () => {
  it('gives the lifetime asked for, counted from the signing second', () => {
    expect(resolveLinkExpiry({ now, seconds: 900 })).toEqual({
      ok: true,
      expiresIn: 900,
      expiresAt: new Date('2026-11-22T10:15:00Z'),
    });
  });

  it('cuts the lifetime short to when the signing credentials expire', () => {
    expect(
      resolveLinkExpiry({
        now,
        seconds: 86_400,
        credentialsExpiration: new Date('2026-11-22T11:00:00.750Z'),
      }),
    ).toEqual({ ok: true, expiresIn: 3600, expiresAt: new Date('2026-11-22T11:00:00Z') });
  });

  it('refuses to sign with credentials that have expired', () => {
    expect(
      resolveLinkExpiry({
        now,
        seconds: 900,
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
