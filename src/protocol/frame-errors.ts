// Typed framing failures (wire.md §7). Each class carries the WIRE-BAD rule it violates, so a
// decoder failure can be reported, modelled and asserted by class.

export type FrameErrorClass =
  | 'bad-magic' // WIRE-BAD-1
  | 'bad-type-length' // WIRE-BAD-2
  | 'bad-type' // WIRE-BAD-3 (not UTF-8, unknown, wrong case)
  | 'bad-separator' // WIRE-BAD-4 (missing | after type or id; id not 12 bytes)
  | 'bad-id' // WIRE-BAD-5
  | 'bad-payload-length' // WIRE-BAD-6
  | 'payload-too-large' // WIRE-BAD-7
  | 'bad-terminator' // WIRE-BAD-8
  | 'eof-mid-frame'; // WIRE-BAD-13

export const FRAME_ERROR_RULE: Record<FrameErrorClass, string> = {
  'bad-magic': 'WIRE-BAD-1',
  'bad-type-length': 'WIRE-BAD-2',
  'bad-type': 'WIRE-BAD-3',
  'bad-separator': 'WIRE-BAD-4',
  'bad-id': 'WIRE-BAD-5',
  'bad-payload-length': 'WIRE-BAD-6',
  'payload-too-large': 'WIRE-BAD-7',
  'bad-terminator': 'WIRE-BAD-8',
  'eof-mid-frame': 'WIRE-BAD-13',
};

/** Plain-data form of a framing failure (what the model and reports see). */
export interface FrameErrorInfo {
  class: FrameErrorClass;
  rule: string;
  detail: string;
}

export class FrameError extends Error {
  readonly info: FrameErrorInfo;
  constructor(cls: FrameErrorClass, detail: string) {
    // A frame error describes the peer's bytes, not our code, so it carries no stack: capturing
    // one was most of its cost, and a fuzz run makes one per malformed frame on both sides.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${FRAME_ERROR_RULE[cls]} ${cls}: ${detail}`);
    Error.stackTraceLimit = limit;
    this.name = 'FrameError';
    this.info = { class: cls, rule: FRAME_ERROR_RULE[cls], detail };
  }
}

export class BadMagicError extends FrameError {
  constructor(detail: string) {
    super('bad-magic', detail);
  }
}
export class BadTypeLengthError extends FrameError {
  constructor(detail: string) {
    super('bad-type-length', detail);
  }
}
export class BadTypeError extends FrameError {
  constructor(detail: string) {
    super('bad-type', detail);
  }
}
export class BadSeparatorError extends FrameError {
  constructor(detail: string) {
    super('bad-separator', detail);
  }
}
export class BadIdError extends FrameError {
  constructor(detail: string) {
    super('bad-id', detail);
  }
}
export class BadPayloadLengthError extends FrameError {
  constructor(detail: string) {
    super('bad-payload-length', detail);
  }
}
export class PayloadTooLargeError extends FrameError {
  constructor(detail: string) {
    super('payload-too-large', detail);
  }
}
export class BadTerminatorError extends FrameError {
  constructor(detail: string) {
    super('bad-terminator', detail);
  }
}
export class EofMidFrameError extends FrameError {
  constructor(detail: string) {
    super('eof-mid-frame', detail);
  }
}
