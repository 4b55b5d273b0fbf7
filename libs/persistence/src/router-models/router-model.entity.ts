/** Where a learned router stands: trained and waiting, serving, or turned down by its canary or an operator. */
export type RouterModelStatus = 'candidate' | 'promoted' | 'rejected';

/** One stored version of a learned router: its metadata. The artifact itself is in `router_model_chunks`. */
export interface RouterModelEntity {
  /** The version. */
  _id?: string;
  version: string;
  createdAt: Date;
  /** What made it (the training job, a CLI import...). */
  source: string;
  /** Length of the artifact's JSON, in UTF-8 bytes. */
  bytes: number;
  /** Length of the gzipped JSON that the chunks hold. */
  compressedBytes: number;
  /** sha256 (hex) of the gzipped JSON: what a load checks the chunks against. */
  sha256: string;
  /** How many chunks hold the gzipped JSON: `${version}#0` to `${version}#${chunks - 1}`. */
  chunks: number;
  status: RouterModelStatus;
  /** Why the status was last set, when someone said. */
  statusNote?: string;
  /** How it was trained (data window, parameters); its shape is the trainer's. */
  training?: unknown;
  /** How it did offline or in its canary; its shape is the evaluator's. */
  evaluation?: unknown;
}

/** A slice of a version's gzipped JSON. */
export interface RouterModelChunkEntity {
  /** `${version}#${index}`. */
  _id: string;
  version: string;
  index: number;
  data: Buffer;
  /** When this chunk was last written: deleteOrphanChunks() leaves younger ones alone (a save may be running). */
  createdAt: Date;
}
