/** Public surface of the PII engine. */
export * from './types.js';
export { Redactor, createDefaultRedactor, resolveOverlaps, type RedactorOptions, type DefaultRedactorOptions } from './redactor.js';
export { OPERATORS, operatorByName, TAG_PATTERN, type Operator, type OperatorContext } from './operators.js';
export { DEFAULT_RECOGNIZERS, recognizerByName } from './registry.js';
export { createTagState, isTagState } from './tagState.js';
