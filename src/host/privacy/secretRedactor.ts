// Redacts secrets from text before it is sent to a cloud model (DESIGN.md, "Privacy model").
// secretlint does the finding; this module turns its reports into placeholders and per-kind counts
// for the privacy ledger. No `vscode` import, so it runs under plain mocha.
import { lintSource } from '@secretlint/core';
import { creator as patternRule } from '@secretlint/secretlint-rule-pattern';
import { rules as recommendedRules } from '@secretlint/secretlint-rule-preset-recommend';

export interface RedactionFinding {
  /** A readable name of what was found, e.g. "AWS access key", "GitHub token", "JWT". */
  readonly kind: string;
  /** How many placeholders of this kind the text now holds. */
  readonly count: number;
}

export interface RedactedText {
  readonly text: string;
  /** One entry per kind, in order of first appearance in the text; empty when nothing was redacted. */
  readonly findings: readonly RedactionFinding[];
}

type LintConfig = Parameters<typeof lintSource>[0]['options']['config'];
type LintRule = LintConfig['rules'][number];
type LintMessage = Awaited<ReturnType<typeof lintSource>>['messages'][number];

interface Span {
  readonly start: number;
  readonly end: number;
  readonly kind: string;
}

/** The text that replaces a secret. */
export function redactionPlaceholder(kind: string): string {
  return `[REDACTED: ${kind}]`;
}

// Secrets the recommended preset does not know. Each regex matches the secret alone (the pattern
// rule reports whole matches only, so context goes in lookarounds) and must be valid with the `u`
// flag, which the pattern rule always adds.
const EXTRA_PATTERNS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  // header.payload.signature, base64url; the header is JSON, so it starts `eyJ` ('{"').
  { name: 'JWT', pattern: /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}/gu },
  // Hearth itself talks to Anthropic, so its keys are the likeliest to sit in a user's workspace.
  { name: 'Anthropic API key', pattern: /\bsk-ant-[a-z]+\d*-[A-Za-z0-9_-]{32,}/gu },
  { name: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/gu },
  { name: 'Stripe key', pattern: /\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{24,}/gu },
  { name: 'GitLab token', pattern: /\bglpat-[0-9A-Za-z_-]{20,}/gu },
  { name: 'Hugging Face token', pattern: /\bhf_[A-Za-z0-9]{34,}(?![A-Za-z0-9])/gu },
  // .npmrc; the preset only checks this for files named .npmrc, and our text has no file name.
  { name: 'npm token', pattern: /(?<=_authToken=)(?!\$\{)[^\s'"]+/gu },
  // The password of a database or queue URL (the preset's basic-auth rule covers http and ftp only).
  {
    name: 'connection string password',
    pattern: /(?<=\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver):\/\/[^\s:@/]*:)(?!\$)[^\s@/]+(?=@)/gu,
  },
];

const AWS_RULE = '@secretlint/secretlint-rule-aws';
// `secretlint-disable` comments are for CI false positives, not for what may leave the machine, and
// one file's comment must not unmask another file's secrets in the same request. secretlint 10
// ignores `disabled` on a rule inside a preset, so the preset's rules are listed one by one instead.
const FILTER_COMMENTS_RULE = '@secretlint/secretlint-rule-filter-comments';

const config: LintConfig = {
  rules: [
    ...recommendedRules
      .filter((rule) => rule.meta.id !== FILTER_COMMENTS_RULE)
      .map((rule): LintRule => ({
        id: rule.meta.id,
        rule,
        // AWS access key ids (AKIA…) are off by default; a leaked key id is half a credential.
        options: rule.meta.id === AWS_RULE ? { enableIDScanRule: true } : {},
      })),
    {
      id: '@secretlint/secretlint-rule-pattern',
      rule: patternRule,
      options: { patterns: EXTRA_PATTERNS.map(({ name, pattern }) => ({ name, pattern: pattern.toString() })) },
    },
  ],
};

/** Readable kinds for the preset's message ids; the pattern rule's messages carry their own name. */
const KIND_BY_MESSAGE_ID: Readonly<Partial<Record<string, string>>> = {
  AWSAccessKeyID: 'AWS access key',
  AWSSecretAccessKey: 'AWS secret access key',
  AWSAccountID: 'AWS account ID',
  PrivateKeyP12: 'GCP service account key',
  PrivateKeyJSON: 'GCP service account key',
  PackageJSON_xOauthToken: 'GitHub token',
  GITHUB_TOKEN: 'GitHub token',
  Npmrc_authToken: 'npm token',
  NPM_ACCESS_TOKEN: 'npm token',
  SLACK_TOKEN: 'Slack token',
  IncomingWebhook: 'Slack webhook URL',
  BasicAuth: 'URL credentials',
  OPENAI_TOKEN: 'OpenAI API key',
  LINEAR_API_TOKEN: 'Linear API key',
  PrivateKey: 'private key',
  SENDGRID_KEY: 'SendGrid API key',
  SHOPIFY_KEY: 'Shopify token',
  OPS_TOKEN: '1Password service account token',
};

/** Message data fields that hold the secret itself (they vary by rule). */
const CREDENTIAL_FIELDS = ['KEY', 'TOKEN', 'ID', 'URL', 'CREDENTIAL'] as const;

/** Shorter strings are too likely to recur innocently to redact every occurrence of. */
const MIN_ECHO_LENGTH = 8;

function dataField(message: LintMessage, field: string): string | undefined {
  const data: unknown = message.data;
  if (typeof data !== 'object' || data === null) return undefined;
  const value: unknown = (data as Record<string, unknown>)[field];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function kindOf(message: LintMessage): string {
  return dataField(message, 'PATTERN_NAME') ?? KIND_BY_MESSAGE_ID[message.messageId] ?? 'secret';
}

function credentialOf(message: LintMessage): string | undefined {
  for (const field of CREDENTIAL_FIELDS) {
    const value = dataField(message, field);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * Where the secret of `message` is in `content`. Some rules (AWS secret access key, GitHub x-oauth
 * URLs) report the start of the whole match with the length of the secret inside it, which would
 * leave the secret's tail in place; when the reported text is not the secret, find the secret there.
 */
function spanOf(message: LintMessage, content: string, offset: number): Span {
  const kind = kindOf(message);
  const [reportedStart, reportedEnd] = message.range;
  const start = Math.max(0, Math.min(reportedStart, content.length));
  const end = Math.max(start, Math.min(reportedEnd, content.length));
  const credential = credentialOf(message);
  if (credential !== undefined && content.slice(start, end) !== credential) {
    const at = content.indexOf(credential, start);
    if (at !== -1 && at < end) return { start: offset + at, end: offset + at + credential.length, kind };
  }
  return { start: offset + start, end: offset + end, kind };
}

/** Every occurrence of each found secret, so a key flagged in one place is not sent from another. */
function echoesOf(text: string, found: readonly Span[], credentials: ReadonlyMap<string, string>): Span[] {
  const secrets = new Map(credentials);
  for (const span of found) {
    const secret = text.slice(span.start, span.end);
    if (!secrets.has(secret)) secrets.set(secret, span.kind);
  }
  const echoes: Span[] = [];
  for (const [secret, kind] of secrets) {
    if (secret.length < MIN_ECHO_LENGTH) continue;
    for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + secret.length)) {
      echoes.push({ start: at, end: at + secret.length, kind });
    }
  }
  return echoes;
}

/** Overlapping spans become one, named after its longest part (earliest on a tie). */
function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((span) => span.end > span.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  let longest = 0;
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last === undefined || span.start >= last.end) {
      merged.push(span);
      longest = span.end - span.start;
      continue;
    }
    const kind = span.end - span.start > longest ? span.kind : last.kind;
    longest = Math.max(longest, span.end - span.start);
    merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, span.end), kind };
  }
  return merged;
}

/**
 * `text` with every secret secretlint finds replaced by `[REDACTED: <kind>]`, and what was replaced.
 * Rejects if the scanner fails: the caller must then not send the text.
 */
export async function redactSecrets(text: string): Promise<RedactedText> {
  if (text.length === 0) return { text, findings: [] };
  // secretlint strips a leading BOM before scanning, so its ranges start one character later.
  const offset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const content = text.slice(offset);
  const result = await lintSource({
    // No real file: an empty path keeps path-keyed rules on (the npm rule treats "no path" as "could
    // be package.json"), and the neutral ext keeps the GCP rule from parsing the text as JSON or
    // reading a .p12 file from disk.
    source: { content, filePath: '', ext: '.txt', contentType: 'text' },
    options: { config, noPhysicFilePath: true },
  });

  const found = result.messages.map((message) => spanOf(message, content, offset));
  const credentials = new Map<string, string>();
  for (const message of result.messages) {
    const credential = credentialOf(message);
    if (credential !== undefined && !credentials.has(credential)) credentials.set(credential, kindOf(message));
  }
  const spans = mergeSpans([...found, ...echoesOf(text, found, credentials)]);
  if (spans.length === 0) return { text, findings: [] };

  const parts: string[] = [];
  const counts = new Map<string, number>();
  let cursor = 0;
  for (const span of spans) {
    parts.push(text.slice(cursor, span.start), redactionPlaceholder(span.kind));
    counts.set(span.kind, (counts.get(span.kind) ?? 0) + 1);
    cursor = span.end;
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), findings: [...counts].map(([kind, count]) => ({ kind, count })) };
}

/** Adds up findings from several redactions (e.g. each file of one request), per kind, first-seen order. */
export function mergeFindings(list: readonly (readonly RedactionFinding[])[]): RedactionFinding[] {
  const counts = new Map<string, number>();
  for (const findings of list) {
    for (const { kind, count } of findings) counts.set(kind, (counts.get(kind) ?? 0) + count);
  }
  return [...counts].map(([kind, count]) => ({ kind, count }));
}
