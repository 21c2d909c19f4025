import { expect } from 'chai';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrivacyNotice, LATEST_NOTICE_VERSION, sha256Hex } from '../../../notices/index.js';
import { isGuardError } from '../../../guards/errors.js';
import { isWithdrawal, parseConsentChoice } from '../../../dialogs/consentDialog.js';

describe('privacy notices and consent words', () => {
  it('loads the latest notice in four languages, each matching its recorded hash', () => {
    const n = loadPrivacyNotice();
    expect(n.version).to.equal(LATEST_NOTICE_VERSION);
    for (const lang of ['en', 'de', 'fr', 'es'] as const) {
      expect(n.texts[lang]).to.include(LATEST_NOTICE_VERSION);
      expect(sha256Hex(n.texts[lang])).to.equal(n.hashes[lang]);
    }
  });

  it('refuses a notice text edited without a new version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-notice-'));
    cpSync(join('notices', 'privacy'), dir, { recursive: true });
    writeFileSync(join(dir, `${LATEST_NOTICE_VERSION}.fr.txt`), 'Nous gardons tout.\n');
    try {
      loadPrivacyNotice(LATEST_NOTICE_VERSION, dir);
      expect.fail('should refuse');
    } catch (e) {
      expect(isGuardError(e, 'ERR_IDENTITY_NOTICE_TAMPERED')).to.equal(true);
    }
  });

  const choices: [string, ReturnType<typeof parseConsentChoice>][] = [
    ['Keep my conversation', 'keep'], ["Don't keep it", 'dont_keep'], ['no, do not keep it', 'dont_keep'],
    ['Ja, aufbewahren', 'keep'], ['Nicht aufbewahren', 'dont_keep'], ['Oui, la conserver', 'keep'], ['Ne pas la conserver', 'dont_keep'],
    ['Sí, guardarla', 'keep'], ['No guardarla', 'dont_keep'], ['where is my order', undefined], ['keeper of the keys', undefined],
  ];
  for (const [text, expected] of choices) it(`reads "${text}" as ${String(expected)}`, () => expect(parseConsentChoice(text)).to.equal(expected));

  const withdrawals: [string, boolean][] = [
    ['withdraw my consent', true], ['Einwilligung widerrufen', true], ['je retire mon consentement', true], ['revocar mi consentimiento', true],
    ['I consent', false], ['withdraw money', false],
  ];
  for (const [text, expected] of withdrawals) it(`${expected ? 'treats' : 'does not treat'} "${text}" as a withdrawal`, () => expect(isWithdrawal(text)).to.equal(expected));
});
