// Types of jit.mjs (the bench's children import it to run as the executable does).
export declare function tuneV8(): void;
