/**
 * JCS-style canonical JSON (RFC 8785 ordering and number/string forms): object members sorted by
 * UTF-16 code units, no whitespace. Members whose value is `undefined` are dropped and `undefined`
 * array items become `null`, as JSON.stringify does, so a value and its JSON round trip canonicalise
 * identically. Throws TypeError for what JSON cannot carry faithfully: non-finite numbers, bigint,
 * functions, symbols, cycles, and objects that are not plain (Date, Map, typed arrays...).
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, new Set());
}

function serialise(value: unknown, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${String(value)}`);
      return JSON.stringify(value);
    case 'object':
      return serialiseContainer(value, ancestors);
    default:
      throw new TypeError(`canonicalJson: cannot represent a ${typeof value}`);
  }
}

function serialiseContainer(value: object, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new TypeError('canonicalJson: cyclic structure');
  ancestors.add(value);
  let text: string;
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    text = `[${items.map((item) => (item === undefined ? 'null' : serialise(item, ancestors))).join(',')}]`;
  } else {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      throw new TypeError('canonicalJson: only plain objects and arrays can be canonicalised');
    }
    const members = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      // Default string order compares UTF-16 code units, which is exactly what JCS asks for.
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => `${JSON.stringify(key)}:${serialise(member, ancestors)}`);
    text = `{${members.join(',')}}`;
  }
  ancestors.delete(value);
  return text;
}
