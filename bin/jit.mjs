// V8 tuning for the executable (never for the library: its host's V8 is the host's business).
// A run is short and CPU-bound from its first second, so V8's optimising compiler is a large
// part of it: on the 2-core bench machine ~740 functions get optimised during one scripted
// suite, ~1 s of compile-thread CPU against ~1.5 s on the main thread. Most of a compile's
// cost is inlining; capping what one optimised function may inline (V8's default is 920
// bytecodes) cuts the harness CPU of a suite run by ~15% and its wall time by 4-9%, with the
// same speed once warm (README, Performance).
// Set at run time because a shebang cannot pass flags portably (`env -S` is missing from busybox
// and the BSDs), and only once the modules are loaded: after a flag changes, Node compiles each
// built-in module it loads without its code cache (~2.5× slower; set first thing, it added ~25 ms
// to `--help`).
import v8 from 'node:v8';

const V8_FLAGS = ['--max-inlined-bytecode-size-cumulative=200'];

/** Call once the modules are loaded and before any work. */
export function tuneV8() {
  for (const flag of V8_FLAGS) v8.setFlagsFromString(flag);
}
