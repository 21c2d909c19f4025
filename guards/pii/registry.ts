/**
 * The recognizer registry: the default set, in a fixed order, and lookup by name. Order does not decide overlaps
 * (the redactor's rule does); it only makes runs reproducible.
 */
import type { EntityType, Recognizer } from './types.js';
import { GuardError } from '../errors.js';
import { accountNumberRecognizer } from './recognizers/accountNumber.js';
import { addressRecognizer } from './recognizers/address.js';
import { creditCardRecognizer } from './recognizers/creditCard.js';
import { dateOfBirthRecognizer } from './recognizers/dateOfBirth.js';
import { emailRecognizer } from './recognizers/email.js';
import { ibanRecognizer } from './recognizers/iban.js';
import { ipAddressRecognizer } from './recognizers/ipAddress.js';
import { passportRecognizer } from './recognizers/passport.js';
import { personRecognizer } from './recognizers/person.js';
import { phoneRecognizer } from './recognizers/phone.js';
import { postcodeRecognizer } from './recognizers/postcode.js';
import { profileRecognizer } from './recognizers/profile.js';
import { urlRecognizer } from './recognizers/url.js';
import { usSsnRecognizer } from './recognizers/usSsn.js';

export const DEFAULT_RECOGNIZERS: readonly Recognizer[] = Object.freeze([
  emailRecognizer,
  urlRecognizer,
  creditCardRecognizer,
  ibanRecognizer,
  usSsnRecognizer,
  ipAddressRecognizer,
  phoneRecognizer,
  dateOfBirthRecognizer,
  passportRecognizer,
  accountNumberRecognizer,
  addressRecognizer,
  postcodeRecognizer,
  personRecognizer,
  profileRecognizer,
]);

export function recognizerByName(name: string): Recognizer {
  const r = DEFAULT_RECOGNIZERS.find((x) => x.name === name);
  if (!r) throw new GuardError('ERR_CONFIG_INVALID', { cause: new Error(`unknown recognizer "${name}"`) });
  return r;
}

/** The entity types a set of recognizers can produce. */
export function entitiesOf(recognizers: readonly Recognizer[]): Set<EntityType> {
  const out = new Set<EntityType>();
  for (const r of recognizers) for (const e of Array.isArray(r.entity) ? r.entity : [r.entity as EntityType]) out.add(e);
  return out;
}
