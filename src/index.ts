export { connect, createChronicle } from './chronicle.js';
export type { Chronicle, ChronicleOptions, ConnectOptions } from './chronicle.js';

export {
  ChronicleError,
  ConcurrencyError,
  ValidationError,
  CommandRejectedError,
  CorruptDocumentError,
  ConfigError,
  ConnectionError,
  MigrationError,
  StorageError,
  AbortedError,
  LeaseLostError,
  ProjectionFailedError,
  ProjectionTimeoutError,
} from './errors.js';
export type { ChronicleErrorCode, ProjectionFailurePoint, ValidationIssue } from './errors.js';

export { EventRepository, createEventRepository } from './events/eventRepository.js';
export type { EventRepositoryOptions } from './events/eventRepository.js';
export type { AppendOptions, AppendResult, EventInput, EventMetadata, ReadOptions, RecordedEvent } from './events/types.js';

export { SnapshotRepository, createSnapshotRepository } from './snapshots/snapshotRepository.js';
export type { SnapshotRepositoryOptions } from './snapshots/snapshotRepository.js';
export type { LatestSnapshotOptions, SaveSnapshotOptions, Snapshot, SnapshotInput } from './snapshots/types.js';

export { AggregateRepository, createAggregateRepository } from './aggregates/aggregateRepository.js';
export type { AggregateRepositoryOptions } from './aggregates/aggregateRepository.js';
export type {
  AggregateAppendOptions,
  AggregateAppendResult,
  AggregateDefinition,
  AnyAggregateDefinition,
  CommandOf,
  DomainEvent,
  EventOf,
  EventSchemas,
  HandleOptions,
  HandleResult,
  LoadedAggregate,
  RecordedEventOf,
  StateOf,
} from './aggregates/types.js';

export { acquireLease, readLease } from './leases/lease.js';
export type { Lease, LeaseOptions } from './leases/lease.js';
export type { LeaseDocument } from './leases/leaseStore.js';

export { createSequencer } from './log/sequencer.js';
export type { Sequencer, SequencerOptions, SequencerStatus } from './log/sequencer.js';
export type { GlobalLog, LoggedCommit, LogReadOptions, PendingCommits } from './log/types.js';
export type { SubscribeOptions } from './log/subscribe.js';

export { defineProjection } from './projections/defineProjection.js';
export { createProjectionRunner } from './projections/projectionRunner.js';
export type { ProjectionBatchResult, ProjectionRunner, ProjectionRunnerOptions, ProjectionRunnerStatus } from './projections/projectionRunner.js';
export { startProjections } from './projections/startProjections.js';
export { listProjections, rebuildProjection } from './projections/projectionAdmin.js';
export type { ProjectionOverview } from './projections/projectionAdmin.js';
export type { ProjectionsOptions, RunningProjections } from './projections/startProjections.js';
export type {
  AnyProjectionDefinition,
  ProjectionDefinition,
  ProjectionDocument,
  ProjectionEvent,
  ProjectionHandle,
  ProjectionState,
  ProjectionStatus,
  WaitForOptions,
} from './projections/types.js';

export { startWorker } from './worker/startWorker.js';
export type { Worker, WorkerOptions, WorkerSnapshotOptions, WorkerStatus } from './worker/startWorker.js';

export { migrate } from './migrations/migrate.js';
export type { MigrateOptions, MigrateResult } from './migrations/migrate.js';
export type { Migration } from '../migrations/types.js';

export { loadConfig } from './config.js';
export type { ChronicleConfig } from './config.js';
export { createLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';

export { defineAggregate } from './aggregates/defineAggregate.js';
export type { AggregateConfig, DefinedAggregate, EventSchemaMap, EventsOf } from './aggregates/defineAggregate.js';
export { validateCommand, validateEvent, validateState } from './aggregates/validation.js';
// given/when/then lives in `chronicle-es/testing` only; the seed domains in `chronicle-es/domain`.

export { runSnapshotJob, DEFAULT_OVERLAP_MS } from './jobs/runSnapshotJob.js';
export type { SnapshotJobOptions, SnapshotJobProgress, SnapshotJobReport } from './jobs/runSnapshotJob.js';
export { createSnapshotScheduler, parseSchedule } from './jobs/scheduler.js';
export type { SnapshotScheduler, SnapshotSchedulerOptions } from './jobs/scheduler.js';

export { defineConfig } from './configFile/defineConfig.js';
export type { ChronicleProjectConfig, ConfiguredProjection, SnapshotSettings } from './configFile/defineConfig.js';
export type { StateMigrations, Upcasters } from './aggregates/types.js';
export type { CreateLoggerOptions, LogFormat } from './logger.js';
