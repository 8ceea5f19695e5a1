// `npm run bench:chat`: what a chat answer costs through Hearth's text service and model process,
// against node-llama-cpp called in this process with the same model, prompt, chat wrapper, threads
// and greedy sampling, all in one run:
//   1. decode tokens/s and time to first token, medians over rounds that alternate which side goes
//      first, each side evaluating a prompt it has not seen;
//   2. how many prompt tokens a follow-up turn evaluates in a kept conversation, against its first
//      turn;
//   3. inline-completion latency (the completion slot) while a long chat answer streams on the
//      shared slot, against the same completions when idle.
//
//   npm run bench:chat -- [--rounds N] [--max-tokens N] [--completions K] [--threads N] [--json] [--verbose]
//
// Timings on a shared machine are noisy: compare the ratios within one run, not across runs.
import { parseArgs as parseCommandLine } from 'node:util';
import { relative, resolve } from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { chatMessages } from '../../src/common/chat/chatPrompt';
import type { ChatMessage, ModelInfo } from '../../src/common/protocol/engineProtocol';
import { EngineClient } from '../../src/host/engine/engineClient';
import { EngineConnection } from '../../src/host/engine/engineConnection';
import { EngineSupervisor } from '../../src/host/engine/engineSupervisor';
import { localTextService, type TextService, type TextResult } from '../../src/host/text/textService';
import { InProcessChat } from '../../test/fixtures/inProcessChat';
import { findRepoRoot, findTestModel, STORY_TEST_MODEL } from '../../test/fixtures/testModels';
import { median, percentile } from './benchStats';

const ROOT = findRepoRoot();
const ENGINE_PATH = resolve(ROOT, 'dist/engine.mjs');
// hearth.engine.contextSize's default; the model process clamps it to what the model was trained on.
const CONTEXT_SIZE = 4096;
const QUESTION = 'Tell me a story about a little girl who finds a big red ball in the park.';
const FOLLOW_UP = 'What did her mom say when she came home with the ball?';
/** The long answer that streams while the completions run; cancelled when they are done. */
const BUSY_CHAT_MAX_TOKENS = 2000;
const COMPLETION_MAX_TOKENS = 16;
const COMPLETION_BASE = 'Once upon a time, there was a little boy named Tim. Tim liked to play with his';
/** Words the completion prompts grow by, one a request, as if typed. */
const COMPLETION_WORDS = ['ball', 'in', 'the', 'park', 'with', 'his', 'friend', 'Sue', 'and', 'the', 'sun', 'was', 'warm', 'and', 'the', 'sky', 'was', 'blue', 'so', 'they'];

interface Args {
  readonly rounds: number;
  readonly maxTokens: number;
  readonly completions: number;
  readonly threads: number;
  readonly json: boolean;
  readonly verbose: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  // node:util's parser: unknown options and missing values are errors.
  const { values } = parseCommandLine({
    args: [...argv],
    options: {
      rounds: { type: 'string' },
      'max-tokens': { type: 'string' },
      completions: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
    },
    strict: true,
  });
  const integer = (name: 'rounds' | 'max-tokens' | 'completions' | 'threads', fallback: number, min: number): number => {
    const parsed = Number(values[name] ?? fallback);
    if (!Number.isInteger(parsed) || parsed < min) throw new Error(`--${name} must be an integer of at least ${min}`);
    return parsed;
  };
  return {
    rounds: integer('rounds', 5, 1),
    maxTokens: integer('max-tokens', 128, 2),
    completions: integer('completions', 15, 1),
    threads: integer('threads', 1, 1),
    json: values.json === true,
    verbose: values.verbose === true,
  };
}

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

/** Decode rate from first token to the end: the first token's wait is time to first token. */
function decodeRate(generatedTokens: number, ttftMs: number, totalMs: number): number | null {
  return generatedTokens > 1 && totalMs > ttftMs ? ((generatedTokens - 1) * 1000) / (totalMs - ttftMs) : null;
}

// ---------------------------------------------------------------------------------------------
// Measurements.

interface ChatSample {
  readonly ttftMs: number;
  readonly totalMs: number;
  readonly generatedTokens: number;
  readonly tokensPerSec: number | null;
}

interface ProcessSample extends ChatSample {
  readonly promptTokens: number;
  readonly evaluatedPromptTokens: number;
  /** What the model process measured itself, without IPC. */
  readonly engineTtftMs: number | null;
  readonly engineTokensPerSec: number;
  readonly text: string;
}

/**
 * The round's messages: the real system prompt and question, with the round named at the very
 * start, so no sequence in the model process holds a prefix of the prompt (the in-process side
 * starts from a fresh context every answer).
 */
function roundMessages(round: number): ChatMessage[] {
  const messages = chatMessages([{ role: 'user', content: `${QUESTION} (${round})` }]);
  const [system, ...rest] = messages;
  return system === undefined ? messages : [{ role: system.role, content: `Round ${round}. ${system.content}` }, ...rest];
}

/** One chat answer through the text service, timed as the caller sees it (first delta, result). */
async function processChat(text: TextService, messages: readonly ChatMessage[], conversationId: string | undefined, maxTokens: number): Promise<ProcessSample> {
  const start = performance.now();
  const stream = text.chat('chat', { messages, ...(conversationId === undefined ? {} : { conversationId }), sampling: { maxTokens, temperature: 0 } }, { sources: [] });
  let firstAt: number | undefined;
  for await (const delta of stream) {
    if (delta.length > 0) firstAt ??= performance.now();
  }
  const result = await stream.result;
  const end = performance.now();
  const ttftMs = (firstAt ?? end) - start;
  const totalMs = end - start;
  return {
    ttftMs,
    totalMs,
    generatedTokens: result.generatedTokens,
    tokensPerSec: decodeRate(result.generatedTokens, ttftMs, totalMs),
    promptTokens: result.promptTokens,
    evaluatedPromptTokens: result.evaluatedPromptTokens,
    engineTtftMs: result.ttftMs,
    engineTokensPerSec: result.tokensPerSec,
    text: result.text,
  };
}

async function inProcessChat(inProcess: InProcessChat, messages: readonly ChatMessage[], maxTokens: number): Promise<ChatSample & { text: string }> {
  const answer = await inProcess.answer(messages, maxTokens);
  return { ...answer, tokensPerSec: decodeRate(answer.generatedTokens, answer.ttftMs, answer.totalMs) };
}

interface ThroughputFigures {
  readonly rounds: number;
  readonly maxTokens: number;
  readonly process: readonly ProcessSample[];
  readonly inProcess: ReadonlyArray<ChatSample & { text: string }>;
  readonly tokPerSecProcess: number | null;
  readonly tokPerSecInProcess: number | null;
  readonly ttftMsProcess: number | null;
  readonly ttftMsInProcess: number | null;
  readonly engineTtftMs: number | null;
  readonly engineTokPerSec: number | null;
  readonly totalMsProcess: number | null;
  readonly totalMsInProcess: number | null;
  readonly sameAnswers: number;
}

async function throughput(text: TextService, inProcess: InProcessChat, args: Args, progress: (line: string) => void): Promise<ThroughputFigures> {
  // One unmeasured answer on each side: first-call costs (allocations, JIT) are not the steady state.
  await processChat(text, roundMessages(0), 'bench-warmup', args.maxTokens);
  await inProcessChat(inProcess, roundMessages(0), args.maxTokens);
  const processSamples: ProcessSample[] = [];
  const inProcessSamples: Array<ChatSample & { text: string }> = [];
  for (let round = 1; round <= args.rounds; round += 1) {
    const messages = roundMessages(round);
    const viaProcess = async () => processSamples.push(await processChat(text, messages, `bench-round-${round}`, args.maxTokens));
    const viaInProcess = async () => inProcessSamples.push(await inProcessChat(inProcess, messages, args.maxTokens));
    if (round % 2 === 1) {
      await viaProcess();
      await viaInProcess();
    } else {
      await viaInProcess();
      await viaProcess();
    }
    const p = processSamples.at(-1);
    const i = inProcessSamples.at(-1);
    progress(
      `round ${round}: process ${p?.generatedTokens} tokens, ttft ${fmtMs(p?.ttftMs ?? null)}, ${fmtRate(p?.tokensPerSec ?? null)}; ` +
        `in-process ${i?.generatedTokens} tokens, ttft ${fmtMs(i?.ttftMs ?? null)}, ${fmtRate(i?.tokensPerSec ?? null)}`,
    );
  }
  const rates = (samples: readonly ChatSample[]) => samples.map((sample) => sample.tokensPerSec).filter((rate): rate is number => rate !== null);
  return {
    rounds: args.rounds,
    maxTokens: args.maxTokens,
    process: processSamples,
    inProcess: inProcessSamples,
    tokPerSecProcess: median(rates(processSamples)),
    tokPerSecInProcess: median(rates(inProcessSamples)),
    ttftMsProcess: median(processSamples.map((sample) => sample.ttftMs)),
    ttftMsInProcess: median(inProcessSamples.map((sample) => sample.ttftMs)),
    engineTtftMs: median(processSamples.map((sample) => sample.engineTtftMs).filter((ms): ms is number => ms !== null)),
    engineTokPerSec: median(processSamples.map((sample) => sample.engineTokensPerSec).filter((rate) => rate > 0)),
    totalMsProcess: median(processSamples.map((sample) => sample.totalMs)),
    totalMsInProcess: median(inProcessSamples.map((sample) => sample.totalMs)),
    sameAnswers: processSamples.filter((sample, index) => sample.text === inProcessSamples[index]?.text).length,
  };
}

interface FollowUpFigures {
  readonly firstTurnPromptTokens: number;
  readonly firstTurnEvalTokens: number;
  readonly followUpPromptTokens: number;
  readonly followUpEvalTokens: number;
  readonly firstTurnGeneratedTokens: number;
  /**
   * The fewest prompt tokens the follow-up can have evaluated: its prompt less everything the
   * sequence held after the first turn (that turn's prompt and answer tokens).
   */
  readonly followUpNewTokensAtLeast: number;
}

/** Two turns of one conversation: the second should evaluate only the answer and the new message. */
async function followUp(text: TextService, maxTokens: number): Promise<FollowUpFigures> {
  const conversationId = 'bench-follow-up';
  const first = await processChat(text, chatMessages([{ role: 'user', content: QUESTION }]), conversationId, maxTokens);
  const second = await processChat(
    text,
    chatMessages([
      { role: 'user', content: QUESTION },
      { role: 'assistant', content: first.text },
      { role: 'user', content: FOLLOW_UP },
    ]),
    conversationId,
    maxTokens,
  );
  return {
    firstTurnPromptTokens: first.promptTokens,
    firstTurnEvalTokens: first.evaluatedPromptTokens,
    followUpPromptTokens: second.promptTokens,
    followUpEvalTokens: second.evaluatedPromptTokens,
    firstTurnGeneratedTokens: first.generatedTokens,
    followUpNewTokensAtLeast: Math.max(0, second.promptTokens - first.promptTokens - first.generatedTokens),
  };
}

interface CompletionSeries {
  readonly latenciesMs: readonly number[];
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
  readonly evaluatedPromptTokens: number | null;
}

interface BusyFigures {
  readonly count: number;
  readonly idle: CompletionSeries;
  readonly busy: CompletionSeries;
  /** Completions that finished while the chat answer was still streaming. */
  readonly finishedDuringChat: number;
  readonly chatTokensBeforeCancel: number;
  readonly chatStopReason: string;
  readonly chatTokPerSecWhileBusy: number | null;
}

function completionPrompt(index: number): string {
  const words = Array.from({ length: index + 1 }, (_, at) => COMPLETION_WORDS[at % COMPLETION_WORDS.length]);
  return `${COMPLETION_BASE} ${words.join(' ')}`;
}

/** K sequential completions on the completion slot, each prompt one word longer than the last. */
async function completionSeries(text: TextService, count: number, stillStreaming: () => boolean = () => false): Promise<CompletionSeries & { during: number }> {
  // Not measured: puts the completion sequence at the series' starting point, the same for both series.
  await text.complete('completion', COMPLETION_BASE, { slot: 'completion', maxTokens: 1, temperature: 0 }, { sources: [] });
  const latenciesMs: number[] = [];
  const evaluated: number[] = [];
  let during = 0;
  for (let index = 0; index < count; index += 1) {
    const start = performance.now();
    const result = await text.complete('completion', completionPrompt(index), { slot: 'completion', maxTokens: COMPLETION_MAX_TOKENS, temperature: 0 }, { sources: [] });
    latenciesMs.push(performance.now() - start);
    evaluated.push(result.evaluatedPromptTokens);
    if (stillStreaming()) during += 1;
  }
  return { latenciesMs, p50Ms: percentile(latenciesMs, 0.5), p90Ms: percentile(latenciesMs, 0.9), evaluatedPromptTokens: median(evaluated), during };
}

async function completionsWhileChatting(text: TextService, count: number): Promise<BusyFigures> {
  const idle = await completionSeries(text, count);
  const source = new CancellationTokenSource();
  let streaming = true;
  let deltas = 0;
  const chatStart = performance.now();
  const stream = text.chat(
    'chat',
    { messages: chatMessages([{ role: 'user', content: `${QUESTION} Make it a very long story.` }]), sampling: { maxTokens: BUSY_CHAT_MAX_TOKENS, temperature: 0 } },
    { token: source.token, sources: [] },
  );
  let firstDelta!: () => void;
  const started = new Promise<void>((resolve) => (firstDelta = resolve));
  const consumed = (async () => {
    for await (const delta of stream) {
      if (delta.length === 0) continue;
      deltas += 1;
      firstDelta();
    }
  })().finally(() => {
    streaming = false;
    firstDelta();
  });
  await started;
  const busy = await completionSeries(text, count, () => streaming);
  source.cancel();
  await consumed;
  const result: TextResult = await stream.result;
  source.dispose();
  const chatMs = performance.now() - chatStart;
  return {
    count,
    idle,
    busy,
    finishedDuringChat: busy.during,
    chatTokensBeforeCancel: result.generatedTokens,
    chatStopReason: result.stopReason,
    chatTokPerSecWhileBusy: result.tokensPerSec > 0 ? result.tokensPerSec : deltas > 1 ? (deltas * 1000) / chatMs : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Output.

function fmtMs(value: number | null): string {
  return value === null ? '—' : value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(1)} ms`;
}

function fmtRate(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(0)} tok/s`;
}

function fmtRatio(value: number | null): string {
  return value === null ? '—' : value.toFixed(3);
}

function round(value: number | null, digits = 1): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const progress = (line: string) => console.error(`  … ${line}`);
  const started = performance.now();
  const modelPath = await findTestModel(STORY_TEST_MODEL, { log: (line) => console.error(line) });
  const supervisor = new EngineSupervisor({
    spawn: () => EngineConnection.start(ENGINE_PATH),
    loadParams: async () => ({ path: modelPath, contextSize: CONTEXT_SIZE, threads: args.threads }),
    idleUnloadMinutes: () => 0,
    log: (level, message) => {
      if (args.verbose || level === 'error') console.error(`[engine ${level}] ${message}`);
    },
  });
  let inProcess: InProcessChat | undefined;
  try {
    const text = localTextService(new EngineClient(supervisor, () => undefined));
    const info: ModelInfo = await supervisor.start();
    inProcess = await InProcessChat.load(modelPath, { threads: args.threads, contextSize: info.contextSize });
    progress(`loaded ${info.name}: ${info.threads} threads (${info.threadsReason}), context ${info.contextSize}, chat wrapper ${info.chatWrapper}`);

    // First, while the model process's sequences are still empty: a cold first turn, then its follow-up.
    const turns = await followUp(text, args.maxTokens);
    progress(`follow-up: turn 1 evaluated ${turns.firstTurnEvalTokens}/${turns.firstTurnPromptTokens}, turn 2 ${turns.followUpEvalTokens}/${turns.followUpPromptTokens}`);
    const speed = await throughput(text, inProcess, args, progress);
    const load = await completionsWhileChatting(text, args.completions);
    progress(`completions: idle p50 ${fmtMs(load.idle.p50Ms)}, busy p50 ${fmtMs(load.busy.p50Ms)}`);

    const tokPerSecRatio = ratio(speed.tokPerSecProcess, speed.tokPerSecInProcess);
    const ttftRatio = ratio(speed.ttftMsProcess, speed.ttftMsInProcess);
    const busyRatio = ratio(load.busy.p50Ms, load.idle.p50Ms);
    const evaluated = speed.process.map((sample) => `${sample.evaluatedPromptTokens}/${sample.promptTokens}`).join(', ');
    const generated = (samples: readonly ChatSample[]) => samples.map((sample) => sample.generatedTokens).join(', ');
    // What the model process says it evaluated, against what it must have: the first turn ran on an
    // empty sequence, the follow-up added at least its new tokens, and each round's prompt differs
    // from every earlier one from its first words on.
    // A token or two of slack: the prompt's last token is evaluated with the first generated one,
    // and an answer may tokenize a little differently when it comes back as history.
    const slack = 2;
    const countProblems = [
      ...(turns.firstTurnEvalTokens + slack < turns.firstTurnPromptTokens
        ? [`the first turn ran on an empty sequence but reports ${turns.firstTurnEvalTokens} of ${turns.firstTurnPromptTokens} prompt tokens evaluated`]
        : []),
      ...(turns.followUpEvalTokens + slack < turns.followUpNewTokensAtLeast
        ? [`the follow-up reports ${turns.followUpEvalTokens} prompt tokens evaluated, fewer than the ${turns.followUpNewTokensAtLeast} it added past the first turn`]
        : []),
      ...(speed.process.some((sample) => sample.evaluatedPromptTokens < sample.promptTokens / 2)
        ? ['rounds whose prompts are new from their first words report less than half of their prompt tokens evaluated']
        : []),
    ];

    console.log(`Hearth chat benchmark — ${relative(ROOT, modelPath)} (${info.name}), ${info.threads} thread(s) on both sides, temperature 0, context ${info.contextSize}`);
    console.log(`  chat wrapper in the model process: ${info.chatWrapper}; in-process: GeneralChatWrapper (test/fixtures/inProcessChat.ts)`);
    console.log('');
    console.log(`1. Chat answer: text service + model process vs node-llama-cpp in-process (medians of ${speed.rounds} rounds, ${speed.maxTokens} tokens max, alternating which goes first)`);
    console.log('   Each round names itself at the start of the system prompt, on both sides, so neither has seen the prompt;');
    console.log('   the model process gets a fresh conversationId a round, the in-process side a fresh context an answer.');
    console.log(`   prompt tokens evaluated by the model process, per round: ${evaluated}`);
    console.log(`   generated tokens: process ${generated(speed.process)}; in-process ${generated(speed.inProcess)} (${speed.sameAnswers}/${speed.rounds} answers identical)`);
    console.log(`   decode tokens/s ((generated − 1) ÷ (total − ttft)): process ${fmtRate(speed.tokPerSecProcess)}  in-process ${fmtRate(speed.tokPerSecInProcess)}  ratio ${fmtRatio(tokPerSecRatio)}`);
    console.log(`   time to first token: process ${fmtMs(speed.ttftMsProcess)}  in-process ${fmtMs(speed.ttftMsInProcess)}  ratio ${fmtRatio(ttftRatio)}`);
    console.log(`   whole answer: process ${fmtMs(speed.totalMsProcess)}  in-process ${fmtMs(speed.totalMsInProcess)}  ratio ${fmtRatio(ratio(speed.totalMsProcess, speed.totalMsInProcess))}`);
    console.log(`   (the model process's own view, without IPC: first token ${fmtMs(speed.engineTtftMs)}, ${fmtRate(speed.engineTokPerSec)})`);
    console.log('   process times are the caller\u2019s: from text.chat() to the first delta and to the result.');
    console.log('');
    console.log('2. Follow-up in one conversation (fixed conversationId; the first turn runs on an empty sequence)');
    console.log(`   first turn: ${turns.firstTurnEvalTokens} of ${turns.firstTurnPromptTokens} prompt tokens evaluated (answer ${turns.firstTurnGeneratedTokens} tokens)`);
    console.log(`   follow-up:  ${turns.followUpEvalTokens} of ${turns.followUpPromptTokens} prompt tokens evaluated (the previous answer and the new message)`);
    console.log(`   (the follow-up's prompt is ${turns.followUpNewTokensAtLeast} tokens longer than the first turn's prompt and answer together)`);
    for (const problem of countProblems) console.log(`   warning: evaluated-token count inconsistent: ${problem}`);
    console.log('');
    console.log(`3. Completion latency (${load.count} sequential requests, completion slot, ${COMPLETION_MAX_TOKENS} tokens max, each prompt one word longer)`);
    console.log(`   idle:                      p50 ${fmtMs(load.idle.p50Ms)}  p90 ${fmtMs(load.idle.p90Ms)}  (median ${load.idle.evaluatedPromptTokens} prompt tokens evaluated)`);
    console.log(`   while a chat answer streams: p50 ${fmtMs(load.busy.p50Ms)}  p90 ${fmtMs(load.busy.p90Ms)}  (median ${load.busy.evaluatedPromptTokens} prompt tokens evaluated)`);
    console.log(`   busy ÷ idle p50: ${fmtRatio(busyRatio)}; p90: ${fmtRatio(ratio(load.busy.p90Ms, load.idle.p90Ms))}`);
    console.log(
      `   the chat answer (shared slot, ${BUSY_CHAT_MAX_TOKENS} tokens max) was streaming when ${load.finishedDuringChat} of ${load.count} completions finished; ` +
        `it had generated ${load.chatTokensBeforeCancel} tokens (${fmtRate(load.chatTokPerSecWhileBusy)}) when it ended (${load.chatStopReason})`,
    );
    if (load.finishedDuringChat < load.count) console.log('   warning: the chat answer ended before the completions did; the busy figures are partly idle ones');
    console.log(`\n  total ${((performance.now() - started) / 1000).toFixed(1)} s`);

    if (args.json) {
      console.log(
        JSON.stringify({
          model: relative(ROOT, modelPath),
          threads: info.threads,
          contextSize: info.contextSize,
          rounds: speed.rounds,
          maxTokens: speed.maxTokens,
          processConversation: 'fresh conversationId per round',
          tokPerSecRatio: round(tokPerSecRatio, 3),
          ttftRatio: round(ttftRatio, 3),
          tokPerSecProcess: round(speed.tokPerSecProcess),
          tokPerSecInProcess: round(speed.tokPerSecInProcess),
          ttftMsProcess: round(speed.ttftMsProcess, 2),
          ttftMsInProcess: round(speed.ttftMsInProcess, 2),
          totalMsProcess: round(speed.totalMsProcess, 2),
          totalMsInProcess: round(speed.totalMsInProcess, 2),
          engineTtftMs: round(speed.engineTtftMs, 2),
          engineTokPerSec: round(speed.engineTokPerSec),
          generatedTokensProcess: speed.process.map((sample) => sample.generatedTokens),
          generatedTokensInProcess: speed.inProcess.map((sample) => sample.generatedTokens),
          evaluatedPromptTokensProcess: speed.process.map((sample) => sample.evaluatedPromptTokens),
          promptTokensProcess: speed.process.map((sample) => sample.promptTokens),
          sameAnswers: speed.sameAnswers,
          firstTurnEvalTokens: turns.firstTurnEvalTokens,
          firstTurnPromptTokens: turns.firstTurnPromptTokens,
          followUpEvalTokens: turns.followUpEvalTokens,
          followUpPromptTokens: turns.followUpPromptTokens,
          followUpNewTokensAtLeast: turns.followUpNewTokensAtLeast,
          evalCountsConsistent: countProblems.length === 0,
          completions: load.count,
          completionP50IdleMs: round(load.idle.p50Ms, 2),
          completionP90IdleMs: round(load.idle.p90Ms, 2),
          completionP50BusyMs: round(load.busy.p50Ms, 2),
          completionP90BusyMs: round(load.busy.p90Ms, 2),
          completionP50BusyRatio: round(busyRatio, 3),
          completionP90BusyRatio: round(ratio(load.busy.p90Ms, load.idle.p90Ms), 3),
          completionsDuringChat: load.finishedDuringChat,
          busyChatTokens: load.chatTokensBeforeCancel,
          busyChatStopReason: load.chatStopReason,
          totalS: round((performance.now() - started) / 1000),
        }),
      );
    }
  } finally {
    await inProcess?.dispose();
    supervisor.dispose();
  }
}

// Exits once stdout is flushed: nothing left behind (a timer, a handle) can keep the benchmark alive.
const exit = (code: number) => process.stdout.write('', () => process.exit(code));
main().then(
  () => exit(0),
  (error: unknown) => {
    console.error(error);
    exit(1);
  },
);
