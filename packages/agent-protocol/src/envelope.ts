import { z } from "zod";

import { composeAttachParams } from "./compose-attach";
import { composeCancelParams, composeCancelResult } from "./compose-cancel";
import { composeConfigParams, composeConfigResult } from "./compose-config";
import { composeImageDigestsParams, composeImageDigestsResult } from "./compose-image-digests";
import { composeLogBatch, composeLogsParams } from "./compose-logs";
import { composePsParams, composePsResult } from "./compose-ps";
import { composeRemoveProjectParams, composeRemoveProjectResult } from "./compose-remove-project";
import { composeRunData, composeRunParams } from "./compose-run";
import { composeTreeHaveParams, composeTreeHaveResult, composeTreePutParams, composeTreePutResult } from "./compose-tree";
import { containerActionParams, containerActionResult, containerLogsParams, removeContainerParams, removeContainerResult } from "./container-actions";
import { containerExecFrame, containerExecParams, execInputParams, execInputResult, execResizeParams, execResizeResult } from "./container-exec";
import { inspectContainerParams, inspectContainerResult } from "./container-inspect";
import { containerStatsParams, containerStatsResult } from "./container-stats";
import { listContainersParams, listContainersResult } from "./containers";
import { agentError } from "./errors";
import { helloParams, helloResult } from "./hello";
import { hostFactsParams, hostFactsResult } from "./host-facts";
import { hostStatsParams, hostStatsSample } from "./host-stats";
import { hostUsageParams, hostUsageResult } from "./host-usage";
import { inspectImageParams, inspectImageResult, pruneImagesParams, pruneImagesResult, pullImageParams, pullProgress, removeImageParams, removeImageResult } from "./image-actions";
import { imagePushData, imagePushParams } from "./image-push";
import { listImagesParams, listImagesResult } from "./images";
import {
  connectNetworkParams,
  createNetworkParams,
  createNetworkResult,
  disconnectNetworkParams,
  networkAttachResult,
  networkUsageParams,
  networkUsageResult,
  removeNetworkParams,
  removeNetworkResult,
} from "./network-actions";
import { listNetworksParams, listNetworksResult } from "./networks";
import { preflightParams, preflightResult } from "./preflight";
import {
  createVolumeParams,
  createVolumeResult,
  pruneVolumesParams,
  pruneVolumesResult,
  removeVolumeParams,
  removeVolumeResult,
  volumeUsageParams,
  volumeUsageResult,
} from "./volume-actions";
import { browseVolumeParams, browseVolumeResult, readVolumeFileParams, readVolumeFileResult } from "./volume-files";
import { listVolumesParams, listVolumesResult } from "./volumes";

/** Every request/response call: its params and result contracts, checked on both sides. */
export const agentCalls = {
  hello: { params: helloParams, result: helloResult },
  hostFacts: { params: hostFactsParams, result: hostFactsResult },
  hostUsage: { params: hostUsageParams, result: hostUsageResult },
  listContainers: { params: listContainersParams, result: listContainersResult },
  listImages: { params: listImagesParams, result: listImagesResult },
  listVolumes: { params: listVolumesParams, result: listVolumesResult },
  listNetworks: { params: listNetworksParams, result: listNetworksResult },
  composeConfig: { params: composeConfigParams, result: composeConfigResult },
  composePs: { params: composePsParams, result: composePsResult },
  containerStats: { params: containerStatsParams, result: containerStatsResult },
  composeImageDigests: { params: composeImageDigestsParams, result: composeImageDigestsResult },
  preflight: { params: preflightParams, result: preflightResult },
  composeCancel: { params: composeCancelParams, result: composeCancelResult },
  composeRemoveProject: { params: composeRemoveProjectParams, result: composeRemoveProjectResult },
  composeTreeHave: { params: composeTreeHaveParams, result: composeTreeHaveResult },
  composeTreePut: { params: composeTreePutParams, result: composeTreePutResult },
  inspectContainer: { params: inspectContainerParams, result: inspectContainerResult },
  containerAction: { params: containerActionParams, result: containerActionResult },
  removeContainer: { params: removeContainerParams, result: removeContainerResult },
  execInput: { params: execInputParams, result: execInputResult },
  execResize: { params: execResizeParams, result: execResizeResult },
  volumeUsage: { params: volumeUsageParams, result: volumeUsageResult },
  createVolume: { params: createVolumeParams, result: createVolumeResult },
  removeVolume: { params: removeVolumeParams, result: removeVolumeResult },
  pruneVolumes: { params: pruneVolumesParams, result: pruneVolumesResult },
  browseVolume: { params: browseVolumeParams, result: browseVolumeResult },
  readVolumeFile: { params: readVolumeFileParams, result: readVolumeFileResult },
  networkUsage: { params: networkUsageParams, result: networkUsageResult },
  createNetwork: { params: createNetworkParams, result: createNetworkResult },
  removeNetwork: { params: removeNetworkParams, result: removeNetworkResult },
  connectNetwork: { params: connectNetworkParams, result: networkAttachResult },
  disconnectNetwork: { params: disconnectNetworkParams, result: networkAttachResult },
  inspectImage: { params: inspectImageParams, result: inspectImageResult },
  removeImage: { params: removeImageParams, result: removeImageResult },
  pruneImages: { params: pruneImagesParams, result: pruneImagesResult },
} as const;

export type AgentCalls = typeof agentCalls;
export type AgentMethod = keyof AgentCalls;
export type AgentParams<M extends AgentMethod> = z.input<AgentCalls[M]["params"]>;
export type AgentResult<M extends AgentMethod> = z.infer<AgentCalls[M]["result"]>;

export const agentRequest = z.discriminatedUnion("method", [
  z.object({ method: z.literal("hello"), params: helloParams }),
  z.object({ method: z.literal("hostFacts"), params: hostFactsParams }),
  z.object({ method: z.literal("hostUsage"), params: hostUsageParams }),
  z.object({ method: z.literal("listContainers"), params: listContainersParams }),
  z.object({ method: z.literal("listImages"), params: listImagesParams }),
  z.object({ method: z.literal("listVolumes"), params: listVolumesParams }),
  z.object({ method: z.literal("listNetworks"), params: listNetworksParams }),
  z.object({ method: z.literal("composeConfig"), params: composeConfigParams }),
  z.object({ method: z.literal("composePs"), params: composePsParams }),
  z.object({ method: z.literal("containerStats"), params: containerStatsParams }),
  z.object({ method: z.literal("composeImageDigests"), params: composeImageDigestsParams }),
  z.object({ method: z.literal("preflight"), params: preflightParams }),
  z.object({ method: z.literal("composeCancel"), params: composeCancelParams }),
  z.object({ method: z.literal("composeRemoveProject"), params: composeRemoveProjectParams }),
  z.object({ method: z.literal("composeTreeHave"), params: composeTreeHaveParams }),
  z.object({ method: z.literal("composeTreePut"), params: composeTreePutParams }),
  z.object({ method: z.literal("inspectContainer"), params: inspectContainerParams }),
  z.object({ method: z.literal("containerAction"), params: containerActionParams }),
  z.object({ method: z.literal("removeContainer"), params: removeContainerParams }),
  z.object({ method: z.literal("execInput"), params: execInputParams }),
  z.object({ method: z.literal("execResize"), params: execResizeParams }),
  z.object({ method: z.literal("volumeUsage"), params: volumeUsageParams }),
  z.object({ method: z.literal("createVolume"), params: createVolumeParams }),
  z.object({ method: z.literal("removeVolume"), params: removeVolumeParams }),
  z.object({ method: z.literal("pruneVolumes"), params: pruneVolumesParams }),
  z.object({ method: z.literal("browseVolume"), params: browseVolumeParams }),
  z.object({ method: z.literal("readVolumeFile"), params: readVolumeFileParams }),
  z.object({ method: z.literal("networkUsage"), params: networkUsageParams }),
  z.object({ method: z.literal("createNetwork"), params: createNetworkParams }),
  z.object({ method: z.literal("removeNetwork"), params: removeNetworkParams }),
  z.object({ method: z.literal("connectNetwork"), params: connectNetworkParams }),
  z.object({ method: z.literal("disconnectNetwork"), params: disconnectNetworkParams }),
  z.object({ method: z.literal("inspectImage"), params: inspectImageParams }),
  z.object({ method: z.literal("removeImage"), params: removeImageParams }),
  z.object({ method: z.literal("pruneImages"), params: pruneImagesParams }),
]);
export type AgentRequest = z.infer<typeof agentRequest>;

export const agentResponse = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: agentError }),
]);
export type AgentResponse = z.infer<typeof agentResponse>;

/**
 * One line of an NDJSON stream.
 * A stream answers HTTP 200 once its source is live, then `data` frames and a
 * final `end` or `error`; any other status carries an `agentResponse` error.
 * The agent writes only as fast as the client reads; a client that closes the
 * connection stops the stream (not compose: a run outlives its stream).
 */
export const streamFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("data"), data: z.unknown() }),
  z.object({ type: z.literal("end") }),
  z.object({ type: z.literal("error"), error: agentError }),
]);
export type StreamFrame = z.infer<typeof streamFrame>;

export const dockerEventsParams = z.object({});
export const dockerEvent = z.object({
  type: z.string(),
  action: z.string(),
  actorId: z.string(),
  attributes: z.record(z.string(), z.string()),
  /** Milliseconds since the epoch. */
  time: z.number(),
});
export type DockerEvent = z.infer<typeof dockerEvent>;

/** Streaming methods: params, and the payload of each `data` frame. */
export const agentStreams = {
  dockerEvents: { params: dockerEventsParams, data: dockerEvent },
  composeRun: { params: composeRunParams, data: composeRunData },
  composeLogs: { params: composeLogsParams, data: composeLogBatch },
  composeAttach: { params: composeAttachParams, data: composeRunData },
  containerLogs: { params: containerLogsParams, data: composeLogBatch },
  containerExec: { params: containerExecParams, data: containerExecFrame },
  hostStats: { params: hostStatsParams, data: hostStatsSample },
  pullImage: { params: pullImageParams, data: pullProgress },
  imagePush: { params: imagePushParams, data: imagePushData },
} as const;
export type AgentStreams = typeof agentStreams;
export type AgentStreamMethod = keyof AgentStreams;
export type AgentStreamParams<M extends AgentStreamMethod> = z.input<AgentStreams[M]["params"]>;
export type AgentStreamData<M extends AgentStreamMethod> = z.infer<AgentStreams[M]["data"]>;

export const agentStreamRequest = z.discriminatedUnion("method", [
  z.object({ method: z.literal("dockerEvents"), params: dockerEventsParams }),
  z.object({ method: z.literal("composeRun"), params: composeRunParams }),
  z.object({ method: z.literal("composeLogs"), params: composeLogsParams }),
  z.object({ method: z.literal("composeAttach"), params: composeAttachParams }),
  z.object({ method: z.literal("containerLogs"), params: containerLogsParams }),
  z.object({ method: z.literal("containerExec"), params: containerExecParams }),
  z.object({ method: z.literal("hostStats"), params: hostStatsParams }),
  z.object({ method: z.literal("pullImage"), params: pullImageParams }),
  z.object({ method: z.literal("imagePush"), params: imagePushParams }),
]);
export type AgentStreamRequest = z.infer<typeof agentStreamRequest>;
