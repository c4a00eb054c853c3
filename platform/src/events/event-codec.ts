import type { BusEvent, DeadLetterInfo, DeliveredEvent } from './event-bus';
import type { EntryFields } from './stream-log';

/** An event as the flat string fields of a stream entry. */
export function encodeEvent(event: BusEvent): EntryFields {
  if (typeof event.id !== 'string' || event.id.length === 0) throw new TypeError('An event needs a non-empty id.');
  if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError('An event needs a non-empty type.');
  if (!(event.occurredAt instanceof Date) || Number.isNaN(event.occurredAt.getTime())) {
    throw new TypeError('An event needs a valid occurredAt date.');
  }
  return {
    id: event.id,
    type: event.type,
    payload: JSON.stringify(event.payload ?? {}),
    occurredAt: event.occurredAt.toISOString(),
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
  };
}

/** The event in an entry's fields. Throws on an entry no producer of this bus wrote (a poison entry). */
export function decodeEvent(fields: EntryFields): BusEvent {
  const { id, type, payload, occurredAt, traceparent } = fields;
  if (!id || !type || payload === undefined || !occurredAt) throw new Error('entry lacks id, type, payload or occurredAt');
  const parsed: unknown = JSON.parse(payload);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('payload is not a JSON object');
  const at = new Date(occurredAt);
  if (Number.isNaN(at.getTime())) throw new Error('occurredAt is not a date');
  return { id, type, payload: parsed as Record<string, unknown>, occurredAt: at, ...(traceparent ? { traceparent } : {}) };
}

/** The fields of a dead-letter entry: the original fields as they were, plus why it was parked. */
export function encodeDeadLetter(fields: EntryFields, info: DeadLetterInfo): EntryFields {
  return { ...fields, deadLetter: JSON.stringify({ ...info, parkedAt: info.parkedAt.toISOString() }) };
}

/** A dead-letter entry as a delivered event with its {@link DeadLetterInfo}. */
export function decodeDeadLetter(stream: string, entryId: string, fields: EntryFields): DeliveredEvent {
  const raw = JSON.parse(fields.deadLetter ?? '{}') as Omit<DeadLetterInfo, 'parkedAt'> & { parkedAt: string };
  const deadLetter: DeadLetterInfo = { ...raw, parkedAt: new Date(raw.parkedAt) };
  let event: BusEvent;
  try {
    event = decodeEvent(fields);
  } catch {
    // A poison entry is parked as it was; show what can be shown.
    event = { id: fields.id ?? '', type: fields.type ?? '', payload: { raw: fields }, occurredAt: deadLetter.parkedAt };
  }
  return { ...event, stream, entryId, attempt: deadLetter.attempts, deadLetter };
}
