// Conversations on disk: one versioned JSON file per conversation in the extension's workspace
// storage. A file that cannot be read (damaged, or from a newer Hearth) is skipped with a
// warning and left in place, so nothing is lost.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConversation, serializeConversation, type Conversation } from '../../common/chat/conversation';
import type { HistoryItem } from '../../common/protocol/webviewProtocol';

export class ConversationStore {
  constructor(
    private readonly dir: string,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  async list(): Promise<HistoryItem[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const items: HistoryItem[] = [];
    for (const name of names.filter((entry) => entry.endsWith('.json'))) {
      const conversation = await this.read(join(this.dir, name));
      if (conversation === undefined || conversation.messages.length === 0) continue;
      items.push({ id: conversation.id, title: conversation.title, updatedAt: conversation.updatedAt, messageCount: conversation.messages.length });
    }
    return items.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async load(id: string): Promise<Conversation | undefined> {
    return this.read(this.fileOf(id));
  }

  /** Writes atomically, so a crash mid-write leaves the previous version. */
  async save(conversation: Conversation): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.fileOf(conversation.id);
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, serializeConversation(conversation));
    await rename(partial, file);
  }

  async delete(id: string): Promise<void> {
    await rm(this.fileOf(id), { force: true });
  }

  private fileOf(id: string): string {
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new Error(`Invalid conversation id: ${id}`);
    return join(this.dir, `${id}.json`);
  }

  private async read(file: string): Promise<Conversation | undefined> {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const parsed = parseConversation(text);
    if (!parsed.ok) {
      this.warn(`Skipping the chat history file ${file}: ${parsed.error}. It is left as it is.`);
      return undefined;
    }
    return parsed.conversation;
  }
}
