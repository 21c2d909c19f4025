/**
 * V8 settings of the bot process. Imported first by index.ts and app.ts, so they apply before any other module runs
 * a regular expression.
 *
 * `--no-regexp-tier-up`: V8 normally runs a regular expression in its bytecode interpreter first and compiles it to
 * machine code once it has been used. In this process (hundreds of Unicode-aware patterns: the PII recognizers, the
 * intent and frustration phrases) the machine code produced that way ran several times slower per call than the same
 * pattern compiled directly, for a reason not pinned down (a standalone script does not show it). Measured with
 * `perf` on the benchmark's guarded server at concurrency 10: regular-expression code fell from 13-14 % of the
 * process's CPU to under 4 %, and CPU per turn by 16-25 % (interleaved A/B runs) (deployment/README.md, "Process flags").
 * The cost: every pattern is compiled to machine code on its first use, including patterns used once.
 */
import { setFlagsFromString } from 'node:v8';

export const V8_FLAGS = ['--no-regexp-tier-up'] as const;
for (const flag of V8_FLAGS) setFlagsFromString(flag);
