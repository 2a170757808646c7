// Proof-of-work solver for the built-in captcha, run as a module Web Worker:
//
//   const worker = new Worker(new URL('./pow.worker.ts', import.meta.url), { type: 'module' });
//   worker.postMessage({ challenge, difficulty });        // from POST /v1/captcha/challenges
//   worker.onmessage = ({ data }) => { ... };             // SolverMessage below
//
// The puzzle is the one api/src/auth/captcha.rs verifies: find the smallest nonce (a non-negative
// integer, written in decimal without leading zeros) such that SHA-256("<challenge>:<nonce>") starts
// with at least `difficulty` zero bits. The captcha answer sent to the API is then
// "<challenge>:<nonce>". It runs in a worker so that the page stays responsive for the second or so
// it takes, and uses only WebCrypto: no dependency.
//
// Hashes are requested in batches so that many crypto.subtle.digest calls are in flight at once
// (one await per hash would spend most of the time waiting between them), and the batch is scanned
// in order, so the nonce found is the smallest — the same one the API's `solve_pow` finds.

/** What the page sends. */
export interface SolveRequest {
  challenge: string;
  difficulty: number;
}

/** What the worker posts back: progress about every 2,000 hashes, then `done` (or `error`). */
export type SolverMessage =
  | { type: 'progress'; tried: number }
  | { type: 'done'; nonce: number }
  | { type: 'error'; message: string };

/** Hashes in flight at once. */
const BATCH = 500;
/** Hashes between two progress messages. */
const PROGRESS_EVERY = 2000;
/** The API refuses longer answers (512 characters), so no challenge is longer than this. */
const MAX_CHALLENGE_LENGTH = 480;
/** Beyond this no browser finishes in a reasonable time; the API's default is 18. */
const MAX_DIFFICULTY = 48;

/** Number of leading zero bits of a digest. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte !== 0) {
      return bits + Math.clz32(byte) - 24;
    }
    bits += 8;
  }
  return bits;
}

/**
 * Finds the smallest nonce for `challenge` at `difficulty`. `onProgress` receives the number of
 * hashes tried so far; `cancelled` is polled between batches and stops the search when true.
 * Resolves to `null` when cancelled.
 */
export async function solvePow(
  challenge: string,
  difficulty: number,
  onProgress: (tried: number) => void = () => {},
  cancelled: () => boolean = () => false,
): Promise<number | null> {
  if (typeof challenge !== 'string' || challenge.length === 0 || challenge.length > MAX_CHALLENGE_LENGTH) {
    throw new Error('the challenge is not valid');
  }
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > MAX_DIFFICULTY) {
    throw new Error('the difficulty is not valid');
  }
  const encoder = new TextEncoder();
  const prefix = `${challenge}:`;
  let nextReport = PROGRESS_EVERY;
  for (let start = 0; start + BATCH <= Number.MAX_SAFE_INTEGER; start += BATCH) {
    if (cancelled()) {
      return null;
    }
    const pending: Promise<ArrayBuffer>[] = [];
    for (let i = 0; i < BATCH; i += 1) {
      pending.push(crypto.subtle.digest('SHA-256', encoder.encode(prefix + String(start + i))));
    }
    const digests = await Promise.all(pending);
    const found = digests.findIndex((digest) => leadingZeroBits(new Uint8Array(digest)) >= difficulty);
    if (found >= 0) {
      return start + found;
    }
    const tried = start + BATCH;
    if (tried >= nextReport) {
      onProgress(tried);
      nextReport += PROGRESS_EVERY;
    }
  }
  throw new Error('no answer found');
}

// The worker's own scope, typed here so that this file checks under either the DOM or the
// WebWorker library of TypeScript.
interface WorkerScope {
  postMessage(message: SolverMessage): void;
  onmessage: ((event: MessageEvent<SolveRequest>) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;

// A new request replaces the one in progress (a fresh challenge was fetched).
let generation = 0;

scope.onmessage = (event: MessageEvent<SolveRequest>): void => {
  generation += 1;
  const mine = generation;
  const { challenge, difficulty } = event.data ?? ({} as Partial<SolveRequest>);
  solvePow(
    challenge as string,
    difficulty as number,
    (tried) => {
      if (mine === generation) {
        scope.postMessage({ type: 'progress', tried });
      }
    },
    () => mine !== generation,
  ).then(
    (nonce) => {
      if (nonce !== null && mine === generation) {
        scope.postMessage({ type: 'done', nonce });
      }
    },
    (error: unknown) => {
      if (mine === generation) {
        const message = error instanceof Error ? error.message : String(error);
        scope.postMessage({ type: 'error', message });
      }
    },
  );
};
