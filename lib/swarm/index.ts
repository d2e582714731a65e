// The engine's public API: Docker and Swarm through dockerode, framework-free (see STYLE.md).
export { EngineError, type EngineErrorCode } from './errors';
export { DEFAULT_SOCKET, assertSwarmManager, connectDocker, dockerOptions } from './client';
export {
  LABEL,
  imageLabelsFor,
  imageRef,
  imageRepo,
  isOurs,
  labelFilters,
  labelsFor,
  networkName,
  serviceName,
  shortId,
} from './names';
export {
  buildImage,
  type BuildContext,
  type BuildOptions,
  type BuildResult,
  type LineSink,
  type OutputStream,
} from './build';
export {
  DEFAULT_MONITOR_MS,
  DEFAULT_ROLLBACK_MONITOR_MS,
  durationNs,
  serviceSpec,
  type EngineApp,
  type EngineVolume,
  type ServiceSpecOptions,
} from './service-spec';
export { ensureNetwork, ensureSharedNetwork, removeProjectNetwork } from './network';
export { deployService, inspectOwnedService, type DeployOptions, type DeployResult } from './deploy';
export type { RolloutOutcome } from './rollout';
export { publishedPorts, type Protocol, type PublishedPort } from './endpoints';
export { pruneImages, removeService, scaleService, stopService, type PruneResult } from './manage';
export { LogDemuxer, serviceLogs, type LogLine, type LogOptions } from './logs';
