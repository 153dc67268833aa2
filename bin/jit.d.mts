// Types of jit.mjs (the bench's children import it to run as the executable does).
export declare const V8_FLAGS: readonly string[];
export declare function tuneV8(): void;
