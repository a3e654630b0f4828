import { readFileSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { Chronicle } from '../../src/chronicle.js';
import { todoListAggregate } from '../../src/domain/index.js';
import { AggregateRepository, EventRepository, SnapshotRepository } from '../../src/index.js';

// The public surface of each class, exactly (DESIGN.md, Public surface). The operations only
// Chronicle's own modules use (appendAtKnownVersion, readCommit, readTail, readMany, the
// collection) are #private and must show up nowhere a user can see them.
const PUBLIC = {
  EventRepository: { file: 'src/events/eventRepository.ts', members: ['append', 'read', 'stream', 'version'] },
  SnapshotRepository: { file: 'src/snapshots/snapshotRepository.ts', members: ['save', 'latest', 'list', 'listMany', 'prune', 'pruneMany'] },
  AggregateRepository: { file: 'src/aggregates/aggregateRepository.ts', members: ['definition', 'streamId', 'load', 'loadMany', 'handle', 'append', 'readEvents'] },
} as const;
const INTERNAL = ['appendAtKnownVersion', 'readCommit', 'readTail', 'readMany', 'collection'];

/** Member names of `className` in the .d.ts that `tsc` emits for `file` (the same emitter as `npm run build`). */
function declaredMembers(file: string, className: string): string[] {
  const { outputText } = ts.transpileDeclaration(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2023 },
  });
  const dts = ts.createSourceFile('out.d.ts', outputText, ts.ScriptTarget.ES2023);
  const cls = dts.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className);
  if (!cls) throw new Error(`no class ${className} in the declarations of ${file}:\n${outputText}`);
  return cls.members.map((m) => (ts.isConstructorDeclaration(m) ? 'constructor' : m.name && (ts.isIdentifier(m.name) || ts.isPrivateIdentifier(m.name)) ? m.name.text : '?'));
}

// Never called: `npm run typecheck` checks these lines. Each `@ts-expect-error` fails the
// typecheck if the member it marks becomes visible on the public type.
export function internalsAreNotOnThePublicTypes(chronicle: Chronicle): void {
  // @ts-expect-error internal hot-path append
  void chronicle.events.appendAtKnownVersion;
  // @ts-expect-error internal read
  void chronicle.events.readTail;
  // @ts-expect-error internal batch read
  void chronicle.events.readMany;
  // @ts-expect-error internal commit lookup
  void chronicle.events.readCommit;
  // @ts-expect-error internal collection
  void chronicle.events.collection;
  // @ts-expect-error private state of the aggregate repository
  void chronicle.aggregate(todoListAggregate).events;
  // A plain object with the public methods is not an EventRepository: the aggregate path needs the real one.
  const lookalike = { append: chronicle.events.append, read: chronicle.events.read, stream: chronicle.events.stream, version: chronicle.events.version };
  // @ts-expect-error not an EventRepository
  void new AggregateRepository(todoListAggregate, lookalike, chronicle.snapshots);
}

describe('repository classes: public surface', () => {
  it.each(Object.entries(PUBLIC))('the emitted .d.ts of %s shows its public members and #private only', (name, { file, members }) => {
    const declared = declaredMembers(file, name);
    expect(declared.filter((m) => m !== 'constructor' && m !== '#private').sort()).toEqual([...members].sort());
    expect(declared).toContain('#private');
    for (const internal of INTERNAL) expect(declared).not.toContain(internal);
  });

  it('instances carry no internal member at run time either', () => {
    // A client that never connects: constructing a repository sends nothing.
    const db = new MongoClient('mongodb://127.0.0.1:1', { serverSelectionTimeoutMS: 1 }).db('none');
    const events = new EventRepository(db);
    const snapshots = new SnapshotRepository(db);
    const todos = new AggregateRepository(todoListAggregate, events, snapshots);
    for (const repo of [events, snapshots, todos]) {
      for (const internal of INTERNAL) expect(internal in repo).toBe(false);
    }
    expect(Object.keys(events)).toEqual([]);
    expect(Object.keys(snapshots)).toEqual([]);
    expect(Object.keys(todos)).toEqual(['definition']);
    expect(Object.getOwnPropertyNames(EventRepository.prototype).sort()).toEqual(['constructor', ...PUBLIC.EventRepository.members].sort());
    expect(Object.getOwnPropertyNames(SnapshotRepository.prototype).sort()).toEqual(['constructor', ...PUBLIC.SnapshotRepository.members].sort());
    expect(Object.getOwnPropertyNames(AggregateRepository.prototype).sort()).toEqual(['constructor', ...PUBLIC.AggregateRepository.members.filter((m) => m !== 'definition')].sort());
  });
});
