// Secret redaction for text bound for a cloud model: each secret gives way to a placeholder naming
// its kind, everything around it is left exactly as it was, and the findings count what was replaced.
import assert from 'node:assert/strict';
import { mergeFindings, redactionPlaceholder, redactSecrets, type RedactionFinding } from '../../src/host/privacy/secretRedactor';

// Made-up secrets of real shapes, assembled at runtime so that secret scanners (push protection,
// secretlint in CI) do not flag this file.
const join = (...parts: string[]) => parts.join('');
const awsKeyId = join('AKIA', '4QWERTYZ7LMNBV3X');
const awsSecret = join('q8Rf2LmZ0xT7vKp3Wn9Y', 'bHc4Ds6Ja1Ue5Gi0Ok2P');
const githubToken = join('ghp_', 'aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5');
const githubToken2 = join('ghp_', 'Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa');
const slackToken = join('xoxb-', '2718281828459-3141592653589-', 'Qm7ZkT2pLw9XrVb4NcH8sJdY');
const slackWebhook = join('https://hooks.slack.com/services/', 'T04ABCD12EF/B05GHIJ34KL/', 'n7Fq2WzK8pRt5YcVb3XmLs9D');
const privateKey = [
  join('-----BEGIN RSA ', 'PRIVATE KEY-----'),
  'MIIEpAIBAAKCAQEAyVqg0X8q6g2ZB1uR3Kk9Jm2Yx7QbN4tWc5HfL0pDsE3aR8vT',
  'n1Gz6oUjX2MwC9eBdY4sKf7LhP0iV5qA3rZ8tN1mO6uS2wE9cJ4xH7yB0kD5gF3l',
  'Qp8RvW2aT6nM1zX4cY7bU0eI9oK3sL5jH8gD2fA6qP1wE4rT7yU0iO3pA9sD6fGh',
  join('-----END RSA ', 'PRIVATE KEY-----'),
].join('\n');
const jwt = join(
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.',
  'eyJzdWIiOiI0MjQyIiwibmFtZSI6IkFkYSIsImlhdCI6MTcxNjIzOTAyMn0.',
  'Xq3c9vN2pK8sL1mW5tR7yB4hF0gJ6dZaEoUiQwYxTnC',
);

interface Expected {
  readonly secret: string;
  readonly kind: string;
}

/** Redacts `input` and checks the result is `input` with each secret (every occurrence) swapped for its placeholder. */
async function assertRedacts(input: string, expected: readonly Expected[], findings: readonly RedactionFinding[]) {
  const result = await redactSecrets(input);
  let want = input;
  for (const { secret, kind } of expected) want = want.replaceAll(secret, redactionPlaceholder(kind));
  for (const { secret } of expected) assert.ok(!result.text.includes(secret), `secret left in output: ${secret}`);
  assert.equal(result.text, want);
  assert.deepEqual(result.findings, findings);
  const placeholders = result.text.match(/\[REDACTED: [^\]]+\]/g) ?? [];
  assert.equal(placeholders.length, findings.reduce((sum, finding) => sum + finding.count, 0), 'one placeholder per counted finding');
}

describe('redactSecrets', () => {
  it('redacts an AWS access key id and its secret access key', async () => {
    const input = [
      '# deploy/.env',
      `AWS_ACCESS_KEY_ID=${awsKeyId}`,
      `AWS_SECRET_ACCESS_KEY=${awsSecret}`,
      'AWS_REGION=eu-west-1',
      '',
    ].join('\n');
    await assertRedacts(
      input,
      [
        { secret: awsKeyId, kind: 'AWS access key' },
        { secret: awsSecret, kind: 'AWS secret access key' },
      ],
      [
        { kind: 'AWS access key', count: 1 },
        { kind: 'AWS secret access key', count: 1 },
      ],
    );
  });

  it('redacts the whole AWS secret key, not just where secretlint says it starts', async () => {
    // secretlint reports the key name's offset with the secret's length; quoting and spacing shift it more.
    const input = `const credentials = {\n  aws_secret_access_key : "${awsSecret}",\n};\n`;
    const result = await redactSecrets(input);
    assert.equal(result.text, `const credentials = {\n  aws_secret_access_key : "${redactionPlaceholder('AWS secret access key')}",\n};\n`);
  });

  it('redacts a found secret wherever else it appears in the text', async () => {
    const input = `AWS_SECRET_ACCESS_KEY=${awsSecret}\n\nclient.login("${awsSecret}");\n`;
    await assertRedacts(input, [{ secret: awsSecret, kind: 'AWS secret access key' }], [{ kind: 'AWS secret access key', count: 2 }]);
  });

  it('redacts a GitHub token in code', async () => {
    const input = `const octokit = new Octokit({ auth: '${githubToken}' }); // CI bot\nawait octokit.rest.repos.get({ owner, repo });\n`;
    await assertRedacts(input, [{ secret: githubToken, kind: 'GitHub token' }], [{ kind: 'GitHub token', count: 1 }]);
  });

  it('counts two secrets of the same kind as 2', async () => {
    const input = `Old token ${githubToken} was revoked; use ${githubToken2} from now on.`;
    await assertRedacts(
      input,
      [
        { secret: githubToken, kind: 'GitHub token' },
        { secret: githubToken2, kind: 'GitHub token' },
      ],
      [{ kind: 'GitHub token', count: 2 }],
    );
  });

  it('redacts a Slack bot token and a Slack webhook URL', async () => {
    const input = [
      'The alerts bot posts with',
      `  SLACK_BOT_TOKEN="${slackToken}"`,
      `and the nightly job uses the webhook ${slackWebhook} instead.`,
    ].join('\n');
    await assertRedacts(
      input,
      [
        { secret: slackToken, kind: 'Slack token' },
        { secret: slackWebhook, kind: 'Slack webhook URL' },
      ],
      [
        { kind: 'Slack token', count: 1 },
        { kind: 'Slack webhook URL', count: 1 },
      ],
    );
  });

  it('redacts a PEM private key block', async () => {
    const input = `Here is the key the server loads:\n\n${privateKey}\n\nand the cert goes next to it.\n`;
    await assertRedacts(input, [{ secret: privateKey, kind: 'private key' }], [{ kind: 'private key', count: 1 }]);
  });

  it('redacts a JWT', async () => {
    const input = `curl -H "Authorization: Bearer ${jwt}" https://api.example.com/v1/me`;
    await assertRedacts(input, [{ secret: jwt, kind: 'JWT' }], [{ kind: 'JWT', count: 1 }]);
  });

  it('redacts secrets the recommended preset does not know', async () => {
    const cases: [kind: string, secret: string, before: string, after: string][] = [
      ['Anthropic API key', join('sk-ant-api03-', 'Xk2mP9qR4tV7wY0zB3cE6fH8jL1nQ5sU7vX0yA2dG4iK6mO8pR-_aBcDeFgAA'), 'ANTHROPIC_API_KEY=', '\n'],
      ['Google API key', join('AIza', 'SyB3kL9mN2pQ5rT8vW1xZ4aC7dF0gH6jK3m'), 'const key = "', '";'],
      ['Stripe key', join('sk_live_', '51Hx9KqL2mN4pR7tV0wY3zA6b'), 'stripe = Stripe("', '")'],
      ['GitLab token', join('glpat-', 'x7Kp2Rm9Tq4Vw1Yz6Bc3'), 'PRIVATE-TOKEN: ', ''],
      ['Hugging Face token', join('hf_', 'QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi'), 'huggingface-cli login --token ', ' --add-to-git-credential'],
      ['npm token', '0a1b2c3d-4e5f-4789-abcd-ef0123456789', '//registry.npmjs.org/:_authToken=', '\n'],
      ['connection string password', 'Tr0ub4dor-and-3', 'DATABASE_URL=postgres://app_user:', '@db.internal:5432/app\n'],
    ];
    for (const [kind, secret, before, after] of cases) {
      await assertRedacts(`${before}${secret}${after}`, [{ secret, kind }], [{ kind, count: 1 }]);
    }
  });

  it('merges overlapping findings into one placeholder', async () => {
    // The basic-auth rule reports the whole URL and the GitHub rule the token inside it.
    const url = `https://${githubToken}:x-oauth-basic@github.com`;
    const input = `git remote add origin ${url}/acme/app.git\n`;
    await assertRedacts(input, [{ secret: url, kind: 'URL credentials' }], [{ kind: 'URL credentials', count: 1 }]);
  });

  it('returns text without secrets unchanged, with no findings', async () => {
    const input = [
      '// Reads credentials from the environment; nothing is hard-coded here.',
      'const accessKeyId = process.env.AWS_ACCESS_KEY_ID; // e.g. AKIA...',
      'const token = process.env.GITHUB_TOKEN ?? "";',
      '//registry.npmjs.org/:_authToken=${NPM_TOKEN}',
      'const url = `postgres://${user}:${password}@localhost/app`;',
      'const header = "eyJhbGciOiJIUzI1NiJ9"; // just a JWT header',
      '-----BEGIN CERTIFICATE-----',
      '',
    ].join('\n');
    assert.deepEqual(await redactSecrets(input), { text: input, findings: [] });
    assert.deepEqual(await redactSecrets(''), { text: '', findings: [] });
  });

  it('is not switched off by secretlint-disable comments in the text', async () => {
    const input = `// secretlint-disable\nconst token = '${githubToken}';\n`;
    await assertRedacts(input, [{ secret: githubToken, kind: 'GitHub token' }], [{ kind: 'GitHub token', count: 1 }]);
  });

  it('keeps a leading byte order mark and the offsets after it', async () => {
    const input = `\uFEFFtoken=${githubToken}\n`;
    await assertRedacts(input, [{ secret: githubToken, kind: 'GitHub token' }], [{ kind: 'GitHub token', count: 1 }]);
  });
});

describe('mergeFindings', () => {
  it('adds counts per kind in first-seen order', () => {
    assert.deepEqual(
      mergeFindings([
        [{ kind: 'GitHub token', count: 1 }],
        [],
        [
          { kind: 'JWT', count: 2 },
          { kind: 'GitHub token', count: 3 },
        ],
      ]),
      [
        { kind: 'GitHub token', count: 4 },
        { kind: 'JWT', count: 2 },
      ],
    );
    assert.deepEqual(mergeFindings([]), []);
  });
});
