/**
 * Runs @tessera/email against the public corpora in `../shared/corpora` (beside the repository,
 * never copied into it). Used by `pnpm conformance` (scripts/conformance.ts, which writes
 * docs/conformance.md) and by src/conformance.test.ts, which asserts the goals.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadMessages } from './api';

export interface Failure {
  case: string;
  detail: string;
}
export interface CorpusResult {
  corpus: string;
  goal: string;
  total: number;
  passed: number;
  failures: Failure[];
}

export function corporaDir(repoRoot: string): string {
  return join(repoRoot, '..', 'shared', 'corpora');
}

const files = (dir: string, ext: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort();

// ---------------------------------------------------------------- threading

interface ThreadFixture {
  name: string;
  options?: { subject_merge?: boolean; prune_phantoms?: boolean; subject_prefixes?: string[] };
  input: {
    id: string;
    message_id: string | null;
    in_reply_to: string | null;
    references: string[];
    subject: string;
    date: string;
  }[];
  expected: { threads: { root: string; messages: string[] }[] };
}

export function runThreading(root: string): CorpusResult {
  const dir = join(root, 'threading', 'mxr-conformance', 'conformance');
  const result: CorpusResult = {
    corpus: 'threading/mxr-conformance',
    goal: 'every fixture passes',
    total: 0,
    passed: 0,
    failures: [],
  };
  for (const f of files(dir, '.json')) {
    const fx = JSON.parse(readFileSync(join(dir, f), 'utf8')) as ThreadFixture;
    result.total++;
    const opts = fx.options ?? {};
    const got = threadMessages(
      fx.input.map((m) => ({
        id: m.id,
        messageId: m.message_id,
        inReplyTo: m.in_reply_to,
        references: m.references,
        subject: m.subject,
        date: m.date,
      })),
      {
        ...(opts.subject_merge === undefined ? {} : { subjectMerge: opts.subject_merge }),
        ...(opts.prune_phantoms === undefined ? {} : { prunePhantoms: opts.prune_phantoms }),
        ...(opts.subject_prefixes ? { subjectPrefixes: opts.subject_prefixes } : {}),
      },
    );
    const a = JSON.stringify(got);
    const b = JSON.stringify(fx.expected.threads);
    if (a === b) result.passed++;
    else result.failures.push({ case: fx.name, detail: `expected ${b}, got ${a}` });
  }
  return result;
}
