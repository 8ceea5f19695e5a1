// The chat's state and its one job: turn a message into a streamed answer. It keeps the current
// conversation, fits its history to the model's context, streams the answer to the panel as
// deltas, stops on request (inside the model process too), and saves each finished turn. It has
// no `vscode` import: the panel, the editor context and storage are handed in.
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { chatMessages, CHAT_SYSTEM_PROMPT, userContent, type Attachment } from '../../common/chat/chatPrompt';
import { newConversation, titleFor, type Conversation, type StoredMessage } from '../../common/chat/conversation';
import { maxAnswerTokens, trimHistory } from '../../common/chat/trimHistory';
import type { ContextSource } from '../../common/policy/contextSource';
import type { LogLevel } from '../../common/protocol/engineProtocol';
import type { ChatMessageView, ContextChip, EngineView, HistoryItem, HostToWebview } from '../../common/protocol/webviewProtocol';
import type { TaskId } from '../../common/text/tasks';
import type { TextService } from '../text/textService';
import type { ChatSettings } from './chatSettings';
import type { ConversationStore } from './conversationStore';

/** What the session needs of the text service. */
export type ChatText = Pick<TextService, 'ensureModel' | 'chat' | 'countTokens'>;

/** The editor context that may go with a message: chips to show, attachments to send. */
export interface ChatContextSource {
  chips(): ContextChip[];
  /** The attachments of the chips that are not blocked. */
  attachments(): Promise<Attachment[]>;
  /** Called after a message took the attachments (user-attached files are used once). */
  consumed(): void;
}

export interface SendOptions {
  /** Drop this user message and everything after it first (editing the last message). */
  readonly replaceFrom?: string;
  /** What the panel shows for the user message, when not the text itself. */
  readonly display?: string;
  readonly header?: string;
  /** Context to send instead of the chips' (the writing commands bring their own). */
  readonly attachments?: readonly Attachment[];
  /** Files whose text the message itself carries verbatim (a selection inside a writing prompt). */
  readonly sources?: readonly ContextSource[];
  readonly task?: TaskId;
}

export interface ChatSessionDeps {
  readonly text: ChatText;
  readonly store: ConversationStore;
  readonly settings: () => ChatSettings;
  readonly context: ChatContextSource;
  readonly engineView: () => EngineView;
  readonly log: (level: LogLevel, message: string) => void;
  /** Shows an error the user can act on (no model, a broken model file). */
  readonly onError: (error: unknown) => void;
  /** The conversation the workspace had open last, and where to remember it. */
  readonly lastConversation: { get(): string | undefined; set(id: string): PromiseLike<void> | void };
  readonly now?: () => number;
}

// Room kept beside the answer for the template's own tokens.
const CONTEXT_MARGIN_TOKENS = 16;

export class ChatSession {
  private conversation: Conversation;
  private running: { readonly source: CancellationTokenSource; readonly answerId: string; readonly done: Promise<StoredMessage> } | undefined;
  private readonly listeners = new Set<(message: HostToWebview) => void>();
  private readonly now: () => number;
  private ready: Promise<void>;
  private nextId = 0;

  constructor(private readonly deps: ChatSessionDeps) {
    this.now = deps.now ?? Date.now;
    this.conversation = newConversation(this.newId('c'), this.now());
    this.ready = this.restore();
  }

  /** The panel subscribes here; messages go to every open view. */
  onMessage(listener: (message: HostToWebview) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  get current(): Conversation {
    return this.conversation;
  }

  /** The whole state, for a view that just said `ready`. */
  async initMessage(): Promise<HostToWebview> {
    await this.ready;
    return {
      type: 'init',
      conversationId: this.conversation.id,
      messages: this.conversation.messages.map(toView),
      engine: this.deps.engineView(),
      chips: this.deps.context.chips(),
      busy: this.busy,
    };
  }

  /** Sends a message and streams the answer; resolves with the finished answer. */
  async send(text: string, options: SendOptions = {}): Promise<StoredMessage> {
    await this.ready;
    if (this.running !== undefined) {
      this.post({ type: 'notice', level: 'warning', text: 'An answer is still being written. Stop it first, or wait for it.' });
      throw new Error('An answer is still being written.');
    }
    if (options.replaceFrom !== undefined) {
      const index = this.conversation.messages.findIndex((message) => message.id === options.replaceFrom && message.role === 'user');
      if (index >= 0) {
        this.conversation.messages.splice(index);
        this.post(await this.initMessage());
      }
    }
    const attachments = options.attachments ?? (await this.deps.context.attachments());
    if (options.attachments === undefined) this.deps.context.consumed();
    const content = userContent(text, attachments);
    const sources = locateSources(content, [
      ...attachments.map((attachment) => ({ source: attachment.source, text: attachment.text })),
      ...(options.sources ?? []).map(({ text = '', history: _history, ...source }) => ({ source, text })),
    ]);
    const user: StoredMessage = {
      id: this.newId('m'),
      role: 'user',
      content,
      ...(sources.length === 0 ? {} : { sources }),
      ...(options.display === undefined && attachments.length === 0 ? {} : { display: options.display ?? text }),
      ...(options.header === undefined ? {} : { header: options.header }),
      ...(attachments.length === 0 ? {} : { context: attachments.map((attachment) => attachment.label) }),
      createdAt: this.now(),
    };
    const answer: StoredMessage = { id: this.newId('m'), role: 'assistant', content: '', createdAt: this.now() };
    this.conversation.messages.push(user, answer);
    this.post({ type: 'message', message: toView(user) });
    this.post({ type: 'message', message: toView(answer) });
    this.post({ type: 'chips', chips: this.deps.context.chips() });

    const source = new CancellationTokenSource();
    const done = this.answer(answer, options.task ?? 'chat', source);
    this.running = { source, answerId: answer.id, done };
    this.post({ type: 'busy', busy: true });
    try {
      return await done;
    } finally {
      this.running = undefined;
      source.dispose();
      this.post({ type: 'busy', busy: false });
    }
  }

  /** Stops the answer being written, inside the model process too. */
  stop(): void {
    this.running?.source.cancel();
  }

  async newChat(): Promise<void> {
    await this.ready;
    this.stop();
    await this.running?.done.catch(() => undefined);
    this.conversation = newConversation(this.newId('c'), this.now());
    await this.deps.lastConversation.set(this.conversation.id);
    this.post(await this.initMessage());
  }

  async open(id: string): Promise<void> {
    await this.ready;
    const loaded = await this.deps.store.load(id);
    if (loaded === undefined) {
      this.post({ type: 'notice', level: 'error', text: 'That conversation could not be opened (see the Hearth log).' });
      return;
    }
    this.stop();
    await this.running?.done.catch(() => undefined);
    this.conversation = loaded;
    await this.deps.lastConversation.set(loaded.id);
    this.post(await this.initMessage());
  }

  async delete(id: string): Promise<void> {
    await this.deps.store.delete(id);
    if (id === this.conversation.id) await this.newChat();
    this.post({ type: 'history', items: await this.history() });
  }

  history(): Promise<HistoryItem[]> {
    return this.deps.store.list();
  }

  /** Pushes a message to every open view. */
  post(message: HostToWebview): void {
    for (const listener of this.listeners) listener(message);
  }

  private async answer(answer: StoredMessage, task: TaskId, source: CancellationTokenSource): Promise<StoredMessage> {
    const settings = this.deps.settings();
    const history = modelHistory(this.conversation.messages.slice(0, -1));
    try {
      const model = await this.deps.text.ensureModel(task);
      const sources = contextSources(history);
      const counts = await this.deps.text.countTokens(task, [CHAT_SYSTEM_PROMPT, ...history.map((message) => message.content)], { token: source.token, sources });
      const maxTokens = maxAnswerTokens(settings.maxTokens, model.contextSize);
      const budget = model.contextSize - maxTokens - CONTEXT_MARGIN_TOKENS;
      const trimmed = trimHistory(
        counts[0] ?? 0,
        history.map((message, index) => ({ message, tokens: counts[index + 1] ?? 0 })),
        budget,
      );
      if (!trimmed.fits) {
        throw new Error(
          `This message does not fit the model's context (${trimmed.tokens} tokens, with ${maxTokens} kept for the answer, of ${model.contextSize}). ` +
            'Shorten it, attach less, or raise hearth.engine.contextSize.',
        );
      }
      if (trimmed.dropped > 0) {
        this.deps.log('info', `chat: left out the ${trimmed.dropped} oldest messages to fit ${model.contextSize} tokens`);
        this.post({ type: 'trimmed', droppedMessages: trimmed.dropped });
      }
      const stream = this.deps.text.chat(
        task,
        { messages: chatMessages(trimmed.kept), conversationId: this.conversation.id, sampling: { maxTokens, temperature: settings.temperature } },
        { token: source.token, sources: contextSources(trimmed.kept) },
      );
      for await (const delta of stream) {
        answer.content += delta;
        this.post({ type: 'delta', messageId: answer.id, text: delta });
      }
      const result = await stream.result;
      answer.model = result.model;
      answer.ended = result.stopReason === 'cancelled' ? 'stopped' : result.stopReason === 'maxTokens' ? 'maxTokens' : 'complete';
      this.deps.log(
        'debug',
        `chat: ${result.generatedTokens} tokens in ${result.totalMs.toFixed(0)} ms, prompt ${result.promptTokens} (evaluated ${result.evaluatedPromptTokens}), ${result.stopReason}`,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      answer.ended = source.token.isCancellationRequested ? 'stopped' : 'error';
      if (answer.ended === 'error') {
        answer.error = message;
        this.deps.log('warn', `chat failed: ${message}`);
        this.deps.onError(error);
      }
    }
    await this.save();
    this.post({ type: 'done', message: toView(answer) });
    return answer;
  }

  private async save(): Promise<void> {
    const conversation = this.conversation;
    conversation.title = titleFor(conversation);
    conversation.updatedAt = this.now();
    try {
      await this.deps.store.save(conversation);
      await this.deps.lastConversation.set(conversation.id);
    } catch (error) {
      this.deps.log('error', `Could not save the conversation: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async restore(): Promise<void> {
    const id = this.deps.lastConversation.get();
    if (id === undefined) return;
    const loaded = await this.deps.store.load(id).catch(() => undefined);
    if (loaded !== undefined) this.conversation = loaded;
  }

  private newId(prefix: string): string {
    this.nextId += 1;
    return `${prefix}${this.now().toString(36)}${this.nextId.toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  }
}

/** Where each attachment's text sits in the message content (it is there verbatim, inside a fence). */
function locateSources(content: string, items: ReadonlyArray<{ readonly source: Attachment['source']; readonly text: string }>): NonNullable<StoredMessage['sources']> {
  const located: NonNullable<StoredMessage['sources']> = [];
  for (const { source, text } of items) {
    if (source === undefined) continue;
    const offset = content.indexOf(text);
    // Text that is not there verbatim is still recorded (length 0): the gate still sees the file.
    located.push({ ...source, offset: Math.max(0, offset), length: offset < 0 ? 0 : text.length });
  }
  return located;
}

/** The files a request carries; those of earlier turns are marked as history. */
function contextSources(messages: readonly StoredMessage[]): ContextSource[] {
  const lastUser = messages.map((message) => message.role).lastIndexOf('user');
  return messages.flatMap((message, index) =>
    (message.sources ?? []).map(({ offset, length, ...source }) => ({
      ...source,
      text: message.content.slice(offset, offset + length),
      history: index !== lastUser,
    })),
  );
}

/** What the model sees of the conversation: turns whose answer failed are left out, question and all. */
function modelHistory(messages: readonly StoredMessage[]): StoredMessage[] {
  const kept: StoredMessage[] = [];
  for (const message of messages) {
    if (message.role === 'assistant' && message.ended === 'error') {
      if (kept.at(-1)?.role === 'user') kept.pop();
      continue;
    }
    kept.push(message);
  }
  return kept;
}

function toView(message: StoredMessage): ChatMessageView {
  return {
    id: message.id,
    role: message.role,
    text: message.display ?? message.content,
    ...(message.header === undefined ? {} : { header: message.header }),
    ...(message.model === undefined ? {} : { model: message.model }),
    ...(message.context === undefined ? {} : { context: message.context }),
    ...(message.ended === undefined ? {} : { ended: message.ended }),
    ...(message.error === undefined ? {} : { error: message.error }),
  };
}
