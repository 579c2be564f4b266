/**
 * Result parsers both backends use, so a row reads the same on PGlite and PostgreSQL.
 * node-postgres returns int8 (counts, bigserial ids) and numeric (sums, averages) as
 * strings; here they are numbers, and int8 beyond 2^53 is a bigint rather than a
 * silently rounded number (PGlite's own rule).
 */
const INT8 = 20;
const NUMERIC = 1700;

function parseInt8(text: string): number | bigint {
  const value = BigInt(text);
  return value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)
    ? value
    : Number(value);
}

export const TYPE_PARSERS: Readonly<Record<number, (text: string) => unknown>> = {
  [INT8]: parseInt8,
  [NUMERIC]: Number,
};
