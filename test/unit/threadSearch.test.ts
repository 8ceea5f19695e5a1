// The thread measurement's rules: candidates by halves from the core count, fewer threads unless
// more are clearly faster, a count per phase, and the budget that switches between them.
import assert from 'node:assert/strict';
import { PhaseThreads } from '../../src/engine/phaseThreads';
import { caseMs, choosePhaseThreads, describePhaseChoice, preferFewer, threadCandidates, USER_CASES, type PhaseTiming } from '../../src/engine/threadSearch';

describe('thread search', () => {
  it('tries the physical core count, then halves down to 1', () => {
    assert.deepEqual(threadCandidates(8), [8, 4, 2, 1]);
    assert.deepEqual(threadCandidates(6), [6, 3, 1]);
    assert.deepEqual(threadCandidates(2), [2, 1]);
    assert.deepEqual(threadCandidates(1), [1]);
    assert.deepEqual(threadCandidates(0), [1]);
  });

  it('takes fewer threads on a near tie, more only when clearly faster', () => {
    const two = { threads: 2, ms: 8 };
    assert.deepEqual(preferFewer(two, { threads: 1, ms: 8.8 }), { threads: 1, ms: 8.8 }, 'within 10%: the noise of a tiny model');
    assert.deepEqual(preferFewer(two, { threads: 1, ms: 9.2 }), two, '15% slower: keep 2');
    assert.deepEqual(preferFewer({ threads: 2, ms: 239 }, { threads: 1, ms: 399 }).threads, 2, 'a 0.5B model wants both cores');
    assert.deepEqual(preferFewer({ threads: 2, ms: 105 }, { threads: 1, ms: 9 }).threads, 1);
    assert.deepEqual(preferFewer({ threads: 1, ms: Number.POSITIVE_INFINITY }, two), two, 'the first measurement always counts');
  });
});

describe('threads per phase', () => {
  // The 0.5B shape on this 2-core machine: prompts read faster on 2 threads, decoding on 1.
  const halfB = [
    { threads: 2, promptMsPerToken: 1000 / 210, decodeMsPerToken: 1000 / 39 },
    { threads: 1, promptMsPerToken: 1000 / 131, decodeMsPerToken: 1000 / 49 },
  ];

  it('chooses each phase its fastest count, so every user case takes the faster of both', () => {
    const choice = choosePhaseThreads(halfB);
    assert.equal(choice.promptThreads, 2);
    assert.equal(choice.decodeThreads, 1);
    const names = choice.cases.map((userCase) => userCase.name);
    assert.deepEqual(names, USER_CASES.map((userCase) => userCase.name));
    for (const userCase of choice.cases) assert.ok(userCase.ms <= userCase.oneCountMs + 1e-9, `${userCase.name}: ${userCase.ms} against ${userCase.oneCountMs}`);
    const [two, one] = halfB as [PhaseTiming, PhaseTiming];
    const chat = USER_CASES.find((userCase) => userCase.name === 'chat answer')!;
    assert.equal(choice.cases.find((userCase) => userCase.name === 'chat answer')?.ms, caseMs(chat, two, one));
  });

  it('names the one count that would serve the cases best, by their summed time', () => {
    // Decoding dominates the cases: one thread for both is better than two for both.
    assert.equal(choosePhaseThreads(halfB).oneCount, 1);
    const promptHeavy = [{ name: 'file read', promptTokens: 2000, generatedTokens: 1 }];
    assert.equal(choosePhaseThreads(halfB, promptHeavy).oneCount, 2);
  });

  it('prefers fewer threads on a near tie in either phase', () => {
    const tie = [
      { threads: 4, promptMsPerToken: 1.0, decodeMsPerToken: 10 },
      { threads: 2, promptMsPerToken: 1.05, decodeMsPerToken: 10.5 },
      { threads: 1, promptMsPerToken: 2.0, decodeMsPerToken: 12 },
    ];
    const choice = choosePhaseThreads(tie);
    assert.equal(choice.promptThreads, 2);
    assert.equal(choice.decodeThreads, 2);
  });

  it('says in the log what each count measured, what was chosen and what each case costs', () => {
    const text = describePhaseChoice(halfB, choosePhaseThreads(halfB), 2);
    assert.match(text, /^auto: 2 for prompts, 1 for decoding; /);
    assert.match(text, /2→prompt 210, decode 39 tok\/s; 1→prompt 131, decode 49 tok\/s/);
    assert.match(text, /warm keystroke ~\d+ ms \(1 for both: \d+ ms\)/);
    assert.match(text, /2 physical cores$/);
  });

  it('refuses an empty measurement rather than inventing a count', () => {
    assert.throws(() => choosePhaseThreads([]), /at least one measurement/);
  });
});

describe('phase thread budget', () => {
  it('is the core count while idle, the prompt count while reading, the decode count after the first token', () => {
    const budget = { maxThreads: 0 };
    const phases = new PhaseThreads(budget, 4);
    assert.equal(budget.maxThreads, 4);
    const context = {};
    const hold = phases.hold(context, 4);
    assert.equal(budget.maxThreads, 4);
    hold.set(1);
    assert.equal(budget.maxThreads, 1);
    hold.release();
    assert.equal(budget.maxThreads, 4);
    hold.release();
    hold.set(2);
    assert.equal(budget.maxThreads, 4, 'a released hold changes nothing');
  });

  it('gives sequences of one context the largest count held, and adds up the counts of two contexts', () => {
    const budget = { maxThreads: 0 };
    const phases = new PhaseThreads(budget, 2);
    const completionModel = {};
    const chatModel = {};
    const decoding = phases.hold(completionModel, 1);
    const reading = phases.hold(completionModel, 2);
    assert.equal(budget.maxThreads, 2, 'one context: its batches carry both sequences');
    reading.release();
    assert.equal(budget.maxThreads, 1);
    const chat = phases.hold(chatModel, 1);
    assert.equal(budget.maxThreads, 2, 'two models decoding at once keep one thread each');
    chat.release();
    decoding.release();
    assert.equal(budget.maxThreads, 2);
  });

  it('releases a hold when the work fails', async () => {
    const budget = { maxThreads: 0 };
    const phases = new PhaseThreads(budget, 2);
    await assert.rejects(
      phases.with({}, 1, async () => {
        assert.equal(budget.maxThreads, 1);
        throw new Error('decode failed');
      }),
      /decode failed/,
    );
    assert.equal(budget.maxThreads, 2);
  });
});
