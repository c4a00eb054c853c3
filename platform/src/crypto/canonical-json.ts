/**
 * JSON with object keys sorted and bigints as strings, so equal content always
 * hashes the same whatever order it was built in. Dates are ISO strings; keys
 * whose value is undefined are left out, as JSON.stringify leaves them out.
 * Written straight to a string: it runs for every fingerprint and chain hash
 * (banking's transfers, identity's audit entries).
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null';
}

/** The canonical JSON of a value, or undefined where JSON.stringify gives undefined (undefined, functions, symbols). */
function write(value: unknown): string | undefined {
  if (typeof value === 'bigint') return `"${value.toString()}"`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + (write(value[i]) ?? 'null');
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of orderedKeys(record)) {
    const member = write(record[key]);
    if (member === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${member}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * The keys in the order the definition (sorted keys, then JSON.stringify of the
 * rebuilt object) writes them: a JavaScript object lists integer keys first, in
 * numeric order, so those come first, then the others sorted.
 */
function orderedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  let indexes = 0;
  while (indexes < keys.length && isArrayIndex(keys[indexes])) indexes++;
  return indexes === 0 ? keys.sort() : [...keys.slice(0, indexes), ...keys.slice(indexes).sort()];
}

function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 4_294_967_295;
}
