// One question to the model outside the chat conversation (a part of a long selection, a
// rewrite): the whole answer, or undefined when the user cancelled.
import type { CancellationToken } from 'vscode-jsonrpc/node';
import { chatMessages } from '../../common/chat/chatPrompt';
import type { TaskId } from '../../common/text/tasks';
import type { ContextSource, Sampling, TextService } from '../text/textService';

export async function askOnce(
  text: Pick<TextService, 'chat'>,
  task: TaskId,
  content: string,
  sampling: Sampling,
  token: CancellationToken,
  sources: readonly ContextSource[],
): Promise<string | undefined> {
  const result = await text.chat(task, { messages: chatMessages([{ role: 'user', content }]), sampling }, { token, sources }).result;
  return token.isCancellationRequested || result.stopReason === 'cancelled' ? undefined : result.text;
}
