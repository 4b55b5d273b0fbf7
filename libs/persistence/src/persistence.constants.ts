export const MONGO_CONNECTION = Symbol('MONGO_CONNECTION');

/** RollupWriterOptions, when a service sets them. */
export const ROLLUP_WRITER_OPTIONS = Symbol('ROLLUP_WRITER_OPTIONS');

/** RecordWriterOptions, when a service sets them. */
export const RECORD_WRITER_OPTIONS = Symbol('RECORD_WRITER_OPTIONS');
