/**
 * Where the value at a JSON path starts in the text (1-based line and column): a small scanner
 * over the document that follows object keys and array indexes, so an error about
 * `components[12].purl` can say which line to look at. Nothing when the path is not found.
 */
export function lineOf(
  text: string,
  path: readonly PropertyKey[],
): { line?: number; column?: number } {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const str = () => {
    const start = ++i;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    return text.slice(start, i++);
  };
  /** Skips one value starting at i. */
  const skip = (): void => {
    ws();
    const c = text[i];
    if (c === '"') {
      str();
      return;
    }
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (c === '{') {
          str();
          ws();
          i++; // :
        }
        skip();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++; // close
        return;
      }
    }
    while (i < text.length && !/[,\]}\s]/.test(text[i] as string)) i++;
  };
  const descend = (key: PropertyKey): boolean => {
    ws();
    if (text[i] === '{' && typeof key === 'string') {
      i++;
      for (;;) {
        ws();
        if (text[i] !== '"') return false;
        const k = JSON.parse(`"${str()}"`) as string;
        ws();
        i++; // :
        ws();
        if (k === key) return true;
        skip();
        ws();
        if (text[i] !== ',') return false;
        i++;
      }
    }
    if (text[i] === '[' && typeof key === 'number') {
      i++;
      for (let n = 0; ; n++) {
        ws();
        if (n === key) return true;
        skip();
        ws();
        if (text[i] !== ',') return false;
        i++;
      }
    }
    return false;
  };
  try {
    for (const key of path) if (!descend(key)) return {};
    ws();
  } catch {
    return {};
  }
  const before = text.slice(0, i);
  return { line: before.split('\n').length, column: i - before.lastIndexOf('\n') };
}
