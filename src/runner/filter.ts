// The matching of `--grep` and `--exclude`: a plain substring, or `/re/flags`. Kept apart from the
// runner so the command line can match without loading it.

export function makeFilter(grep: string | undefined): (text: string) => boolean {
  if (grep === undefined || grep === '') return () => true;
  const re = /^\/(.*)\/([a-z]*)$/s.exec(grep);
  if (re) {
    const regex = new RegExp(re[1]!, re[2]);
    return (text) => regex.test(text);
  }
  return (text) => text.includes(grep);
}
