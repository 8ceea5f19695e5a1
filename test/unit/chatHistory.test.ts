// Conversations as stored (versioned JSON, read back or refused with a reason), trimming a
// history to the model's context, and the prompt the model is sent.
import assert from 'node:assert/strict';
import { chatMessages, CHAT_SYSTEM_PROMPT, fence, userContent } from '../../src/common/chat/chatPrompt';
import { CONVERSATION_VERSION, newConversation, parseConversation, serializeConversation, titleFor, type Conversation } from '../../src/common/chat/conversation';
import { maxAnswerTokens, TEMPLATE_TOKENS_PER_MESSAGE, trimHistory } from '../../src/common/chat/trimHistory';

function conversation(): Conversation {
  const created = newConversation('c1', 1000);
  created.messages.push(
    { id: 'm1', role: 'user', content: 'Tell me a story\nabout a cat', createdAt: 1001 },
    { id: 'm2', role: 'assistant', content: 'Once upon a time…', model: 'stories260K', ended: 'complete', createdAt: 1002 },
  );
  return created;
}

describe('stored conversations', () => {
  it('round-trips through versioned JSON', () => {
    const original = conversation();
    const parsed = parseConversation(serializeConversation(original));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.conversation, original);
    assert.equal(parsed.conversation.version, CONVERSATION_VERSION);
  });

  it('refuses damaged, foreign and newer files with a reason instead of throwing', () => {
    const cases: Array<[string, RegExp]> = [
      ['{not json', /not JSON/],
      ['null', /invalid|Expected/i],
      [JSON.stringify({ ...conversation(), version: CONVERSATION_VERSION + 1 }), /newer Hearth/],
      [JSON.stringify({ ...conversation(), id: '../../etc/passwd' }), /^id:/],
      [JSON.stringify({ ...conversation(), messages: [{ id: 'x', role: 'robot', content: '', createdAt: 1 }] }), /messages\.0\.role/],
    ];
    for (const [json, reason] of cases) {
      const parsed = parseConversation(json);
      assert.equal(parsed.ok, false, json);
      if (!parsed.ok) assert.match(parsed.error, reason, json);
    }
  });

  it('takes the title from the first line of the first user message, shortened', () => {
    assert.equal(titleFor(conversation()), 'Tell me a story');
    const long = newConversation('c2', 0);
    long.messages.push({ id: 'm', role: 'user', content: 'x'.repeat(200), createdAt: 0 });
    assert.equal(titleFor(long).length, 60);
    assert.ok(titleFor(long).endsWith('…'));
    assert.equal(titleFor(newConversation('c3', 0)), 'New chat');
  });
});

describe('trimHistory', () => {
  const messages = (tokens: number[]) =>
    tokens.map((count, index) => ({ message: { role: index % 2 === 0 ? 'user' : 'assistant', id: `m${index}` }, tokens: count }));
  const overhead = TEMPLATE_TOKENS_PER_MESSAGE;

  it('keeps everything that fits', () => {
    const result = trimHistory(10, messages([5, 5, 5]), 1000);
    assert.equal(result.dropped, 0);
    assert.equal(result.kept.length, 3);
    assert.equal(result.tokens, 10 + overhead + 3 * (5 + overhead));
    assert.equal(result.fits, true);
  });

  it('drops the oldest messages first, and never starts with an answer', () => {
    // Budget for the system prompt and about two messages.
    const budget = 10 + overhead + 2 * (20 + overhead);
    const result = trimHistory(10, messages([20, 20, 20, 20, 20]), budget);
    assert.equal(result.kept.length, 1, 'm3 (an answer) would lead; it goes too');
    assert.equal(result.dropped, 4);
    assert.deepEqual(result.kept.map((message) => message.id), ['m4']);
    assert.equal(result.fits, true);
  });

  it('lets an answer take at most half the context', () => {
    assert.equal(maxAnswerTokens(512, 4096), 512);
    assert.equal(maxAnswerTokens(4000, 2048), 1024);
    assert.equal(maxAnswerTokens(512, 1), 1);
  });

  it('always keeps the newest message, and says when even it does not fit', () => {
    const result = trimHistory(10, messages([5, 5, 500]), 100);
    assert.deepEqual(result.kept.map((message) => message.id), ['m2']);
    assert.equal(result.fits, false);
  });
});

describe('chat prompt', () => {
  it('starts with the system prompt and keeps the roles', () => {
    const built = chatMessages([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ]);
    assert.deepEqual(built, [
      { role: 'system', content: CHAT_SYSTEM_PROMPT },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ]);
  });

  it('puts attachments before the message, each fenced so its text cannot close the fence', () => {
    const content = userContent('What does it do?', [{ label: 'src/a.md, lines 1–3', text: 'text with ``` inside\n', language: 'markdown' }]);
    assert.ok(content.startsWith('src/a.md, lines 1–3:\n````markdown\ntext with ``` inside\n````'));
    assert.ok(content.endsWith('\n\nWhat does it do?'));
    assert.equal(userContent('plain', []), 'plain');
    assert.equal(fence('a', 'ts'), '```ts\na\n```');
  });
});
