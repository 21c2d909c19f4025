/**
 * Versioned privacy notices (CON-1). Each version's text lives in `notices/privacy/<version>.<lang>.txt`; its
 * SHA-256 is recorded here. Start-up refuses a text that does not match its recorded hash: changing a notice means
 * a new version (and customers are asked again), never a silent edit of one they already answered.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lang } from '../dialogs/language.js';
import { GuardError } from '../guards/errors.js';

/** Recorded hashes (hex SHA-256 of the UTF-8 text without its final newline), newest version last. */
export const NOTICE_HASHES: Readonly<Record<string, Readonly<Record<Lang, string>>>> = Object.freeze({
  '2026-11': Object.freeze({
    en: '3c01ca04ddb2d3de413dd28029218c5b11be0e43460fa0b88f8fca7cea69e068',
    de: 'c588b2743bd5567f6bad34ac25aff4aff8787137eb98b93e5e72879d900e2c6d',
    fr: '6dd27e0acdde6b40bfa30c6508492a16075cd4524a656c62b581d69262463b2f',
    es: 'b42812e39fa796fdec0139c4b1343236048e68e526a538b0d96588e1ae930ae0',
  }),
});

export const LATEST_NOTICE_VERSION = Object.keys(NOTICE_HASHES).at(-1)!;

export interface PrivacyNotice {
  version: string;
  texts: Readonly<Record<Lang, string>>;
  hashes: Readonly<Record<Lang, string>>;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function noticeDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Sources run from notices/; the build runs from dist/notices/ and reads the texts from the repository.
  for (const d of [join(here, 'privacy'), join(here, '..', '..', 'notices', 'privacy')]) if (existsSync(d)) return d;
  return join(here, 'privacy');
}

/** Loads one version and checks every text against its recorded hash; throws `ERR_IDENTITY_NOTICE_TAMPERED`. */
export function loadPrivacyNotice(version: string = LATEST_NOTICE_VERSION, dir: string = noticeDir()): PrivacyNotice {
  const hashes = NOTICE_HASHES[version];
  if (!hashes) throw new GuardError('ERR_IDENTITY_NOTICE_TAMPERED');
  const texts = {} as Record<Lang, string>;
  for (const lang of ['en', 'de', 'fr', 'es'] as Lang[]) {
    let text: string;
    try {
      text = readFileSync(join(dir, `${version}.${lang}.txt`), 'utf8').replace(/\n$/, '');
    } catch (cause) {
      throw new GuardError('ERR_IDENTITY_NOTICE_TAMPERED', { cause });
    }
    if (sha256Hex(text) !== hashes[lang]) throw new GuardError('ERR_IDENTITY_NOTICE_TAMPERED');
    texts[lang] = text;
  }
  return Object.freeze({ version, texts: Object.freeze(texts), hashes });
}
