// Small text helpers for failure messages and rendered frames (one of each for the whole runner).

/** `s` cut to at most `max` characters, saying how long it was. */
export function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(${s.length} chars)`;
}

/** The first line of `s`, cut at `max` characters with an ellipsis. */
export function firstLine(s: string, max = Infinity): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
