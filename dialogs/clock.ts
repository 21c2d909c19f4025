/** Time is injected, never read from the wall clock inside dialogs (tests move it). */
export interface Clock { now(): number }
export const systemClock: Clock = { now: () => Date.now() };
