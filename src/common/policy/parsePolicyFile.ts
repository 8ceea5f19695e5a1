// Parses a policy file's text: JSON (comments allowed, as in VS Code's own settings) checked
// against the schema. Errors name the line and what is wrong, so whoever wrote the file can fix it.
import { findNodeAtLocation, parse, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { policyFileSchema, type PolicyFile } from './privacyPolicy';

export type PolicyFileParse = { readonly ok: true; readonly policy: PolicyFile } | { readonly ok: false; readonly error: string };

export function parsePolicyFile(text: string): PolicyFileParse {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: false, disallowComments: false });
  if (errors.length > 0) {
    const first = errors[0];
    return { ok: false, error: `line ${lineOf(text, first.offset)}: ${describeParseError(printParseErrorCode(first.error))}` };
  }
  const parsed = policyFileSchema.safeParse(value);
  if (parsed.success) return { ok: true, policy: parsed.data };
  const issue = parsed.error.issues[0];
  const tree = parseTree(text);
  // The deepest node that exists on the issue's path (a missing key points at its object).
  let node = tree;
  for (let depth = issue.path.length; depth >= 0 && tree; depth--) {
    const found = findNodeAtLocation(tree, issue.path.slice(0, depth));
    if (found) {
      node = found;
      break;
    }
  }
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, error: `line ${node ? lineOf(text, node.offset) : 1}: ${where}${issue.message}` };
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function describeParseError(code: string): string {
  // "CloseBraceExpected" → "close brace expected"
  return `JSON syntax error (${code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()})`;
}
