// The document as it will be once a suggestion is accepted at the cursor, and where the cursor
// will be: what the next suggestion is prepared for while the user still reads this one.

export interface AcceptedSuggestion {
  readonly lines: readonly string[];
  readonly line: number;
  readonly character: number;
}

export function applySuggestion(lines: readonly string[], line: number, character: number, suggestion: string): AcceptedSuggestion {
  const current = lines[line] ?? '';
  const at = Math.min(Math.max(0, character), current.length);
  const inserted = (current.slice(0, at) + suggestion + current.slice(at)).split('\n');
  const lastLine = inserted[inserted.length - 1] ?? '';
  return {
    lines: [...lines.slice(0, line), ...inserted, ...lines.slice(line + 1)],
    line: line + inserted.length - 1,
    character: lastLine.length - (current.length - at),
  };
}
