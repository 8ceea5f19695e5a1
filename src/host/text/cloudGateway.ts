// The only way out of the machine for text: builds the cloud payload (never-send files withheld,
// secrets redacted, size capped), asks for consent where the mode says so, streams the answer
// from the endpoint's provider, and writes every escalation to the privacy ledger.
import type { CancellationToken } from 'vscode-jsonrpc/node';
import { payloadBytes, withholdNeverSend, type PayloadMessage, type PreparedPayload } from '../../common/policy/cloudPayload';
import type { ContextSource } from '../../common/policy/contextSource';
import type { EscalationEntry } from '../../common/policy/ledgerEntry';
import type { EffectivePolicy, Endpoint } from '../../common/policy/privacyPolicy';
import type { GenerateResult, StopReason } from '../../common/protocol/engineProtocol';
import { taskInfo, type TaskId } from '../../common/text/tasks';
import type { PrivacyLedger } from '../privacy/privacyLedger';
import type { RedactionFinding } from '../privacy/secretRedactor';
import { CloudError } from './cloud/cloudErrors';
import type { CloudConnectionOptions, CloudProvider } from './cloud/cloudProvider';

/** Everything the user sees before anything is sent. */
export interface ConsentRequest {
  readonly task: TaskId;
  readonly title: string;
  readonly endpoint: Endpoint;
  readonly files: PreparedPayload['files'];
  readonly withheld: PreparedPayload['withheld'];
  readonly bytes: number;
  readonly redactions: readonly RedactionFinding[];
  /** The exact messages that would be sent. */
  readonly messages: readonly PayloadMessage[];
}

export type ConsentAnswer = 'send' | 'local' | 'cancel';

export interface CloudGatewayDeps {
  readonly policy: () => EffectivePolicy;
  readonly neverSendReason: (source: ContextSource) => string | undefined;
  readonly askConsent: (request: ConsentRequest) => Promise<ConsentAnswer>;
  /** The stored API key for an endpoint ('' when none). */
  readonly apiKey: (endpoint: Endpoint) => Promise<string>;
  /** Proxy, CA and timeouts for an endpoint (the proxy and CA only for internal ones). */
  readonly connection: (endpoint: Endpoint) => Omit<CloudConnectionOptions, 'apiKey'>;
  readonly createProvider: (endpoint: Endpoint, options: CloudConnectionOptions) => CloudProvider;
  /** The secret scanner over each message: the redacted texts, in order, and what was found. */
  readonly redact: (texts: readonly string[]) => Promise<{ readonly texts: readonly string[]; readonly findings: RedactionFinding[] }>;
  readonly ledger: Pick<PrivacyLedger, 'append'>;
  readonly log: (message: string) => void;
}

export interface Escalation {
  readonly task: TaskId;
  readonly endpoint: Endpoint;
  readonly consent: 'ask' | 'policy';
  readonly messages: readonly PayloadMessage[];
  readonly sources: readonly ContextSource[];
  readonly maxTokens: number;
  readonly temperature: number;
  readonly token?: CancellationToken;
  readonly onText: (text: string) => void;
  /** Answers on the local model instead (the user chose "Use Local Model"). */
  readonly runLocal: () => Promise<GenerateResult & { model: string; backend: 'local' | 'cloud' }>;
}

export type CloudAnswer = GenerateResult & { readonly model: string; readonly backend: 'local' | 'cloud' };

export class CloudGateway {
  constructor(private readonly deps: CloudGatewayDeps) {}

  async run(request: Escalation): Promise<CloudAnswer> {
    const policy = this.deps.policy();
    const { endpoint } = request;
    const title = taskInfo(request.task).title;
    const prepared = withholdNeverSend(request.messages, request.sources, this.deps.neverSendReason);
    let messages = prepared.messages;
    let redactions: RedactionFinding[] = [];
    if (policy.redactSecrets) {
      const redacted = await this.deps.redact(messages.map((message) => message.content));
      messages = messages.map((message, index) => ({ ...message, content: redacted.texts[index] ?? '' }));
      redactions = redacted.findings;
    }
    const bytes = payloadBytes(messages);
    if (bytes > policy.maxBytesPerRequest) {
      throw new Error(
        `${title} would send ${bytes.toLocaleString('en')} bytes to ${hostOf(endpoint)}, more than the policy's ${policy.maxBytesPerRequest.toLocaleString('en')} per request; nothing was sent. Select less.`,
      );
    }

    if (request.token?.isCancellationRequested) return cancelled(`${endpoint.model} (${endpoint.id})`);
    // The key first: a user should not review a payload that cannot be sent.
    const apiKey = await this.deps.apiKey(endpoint);
    if (apiKey === '' && endpoint.trust === 'external') {
      throw new Error(`No API key is set for the cloud endpoint "${endpoint.id}" (${hostOf(endpoint)}); nothing was sent. Set one with "Hearth: Set Cloud API Key…".`);
    }
    if (request.consent === 'ask') {
      if (request.token?.isCancellationRequested) return cancelled(`${endpoint.model} (${endpoint.id})`);
      const answer = await this.deps.askConsent({ task: request.task, title, endpoint, files: prepared.files, withheld: prepared.withheld, bytes, redactions, messages });
      if (answer === 'local') return request.runLocal();
      if (answer === 'cancel') return cancelled(`${endpoint.model} (${endpoint.id})`);
    }

    const entry = (outcome: EscalationEntry['outcome'], error?: string): EscalationEntry => ({
      v: 1,
      time: new Date().toISOString(),
      command: request.task,
      commandTitle: title,
      provider: endpoint.provider,
      endpointId: endpoint.id,
      endpointHost: hostOf(endpoint),
      model: endpoint.model,
      files: [...prepared.files],
      withheld: [...prepared.withheld],
      bytes,
      redactions,
      consent: request.consent === 'ask' ? 'asked' : 'policy',
      outcome,
      ...(error === undefined ? {} : { error }),
    });

    // Cancelled while the key was read (the OS keychain may wait) or the dialog was open: nothing is sent.
    if (request.token?.isCancellationRequested) return cancelled(`${endpoint.model} (${endpoint.id})`);
    const provider = this.deps.createProvider(endpoint, { ...this.deps.connection(endpoint), apiKey });
    const abort = new AbortController();
    const subscription = request.token?.onCancellationRequested(() => abort.abort());
    const started = performance.now();
    let firstText: number | undefined;
    this.deps.log(`cloud: ${title} → ${endpoint.id} (${hostOf(endpoint)}), ${bytes} bytes, consent ${request.consent}`);
    try {
      const result = await provider.chat(
        { messages, maxTokens: request.maxTokens, temperature: request.temperature },
        {
          signal: abort.signal,
          onText: (text) => {
            firstText ??= performance.now();
            request.onText(text);
          },
        },
      );
      await this.append(entry(result.stopReason === 'cancelled' ? 'cancelled' : 'sent'));
      const totalMs = performance.now() - started;
      const generatedTokens = result.outputTokens ?? 0;
      const stopReason: StopReason = result.stopReason === 'cancelled' ? 'cancelled' : result.stopReason === 'length' ? 'maxTokens' : 'eos';
      return {
        text: result.text,
        stopReason,
        promptTokens: result.inputTokens ?? 0,
        evaluatedPromptTokens: result.inputTokens ?? 0,
        generatedTokens,
        ttftMs: firstText === undefined ? null : firstText - started,
        totalMs,
        tokensPerSec: totalMs > 0 ? (generatedTokens * 1000) / totalMs : 0,
        model: `${endpoint.model} (${endpoint.id})`,
        backend: 'cloud',
      };
    } catch (error) {
      const message = error instanceof CloudError || error instanceof Error ? error.message : String(error);
      await this.append(entry('failed', message));
      throw error;
    } finally {
      subscription?.dispose();
    }
  }

  private async append(entry: EscalationEntry): Promise<void> {
    try {
      await this.deps.ledger.append(entry);
    } catch (error) {
      this.deps.log(`cloud: could not write the privacy ledger: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

export function hostOf(endpoint: Endpoint): string {
  try {
    return new URL(endpoint.baseUrl).host;
  } catch {
    return endpoint.baseUrl;
  }
}

function cancelled(model: string): CloudAnswer {
  return { text: '', stopReason: 'cancelled', promptTokens: 0, evaluatedPromptTokens: 0, generatedTokens: 0, ttftMs: null, totalMs: 0, tokensPerSec: 0, model, backend: 'cloud' };
}
