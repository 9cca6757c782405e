// Reads a tagger Parquet output with DuckDB, as an analyst would, and prints
// one JSON object with the answers that pipeline's TestParquetDuckDB checks.
//
// Usage: node query.mjs FILE.parquet
// Needs `npm install` in this directory (.ci/run does it).
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (!file) {
  console.error('usage: node query.mjs FILE.parquet');
  process.exit(2);
}

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();

// rows runs sql with $1 bound to the file and returns JSON-ready objects
// (BIGINT comes back as a string: cast counts to INTEGER).
async function rows(sql) {
  const reader = await con.runAndReadAll(sql, [file]);
  return reader.getRowObjectsJson();
}

const out = {
  row_count: (await rows('SELECT count(*)::INTEGER AS n FROM read_parquet($1)'))[0].n,
  // One row per (story, label): unnest of the LIST of STRUCTs.
  labels: await rows(`
    SELECT t.id, l.label, l.score, l.threshold, l.detected
    FROM read_parquet($1) AS t, unnest(t.labels) AS u(l)
    ORDER BY t.id, l.label`),
  // Where each body starts, and how its bytes were decoded (nulls kept).
  bodies: await rows(`
    SELECT id, encoding, body_line, body_byte::INTEGER AS body_byte
    FROM read_parquet($1) ORDER BY id`),
  // The rating's confidence (NULL kept as null) and evidence.
  ratings: await rows(`
    SELECT id, rating_confidence, len(rating_evidence)::INTEGER AS passages,
      list_transform(rating_evidence, e -> e.label) AS cues
    FROM read_parquet($1) ORDER BY id`),
  evidence_snippets: (await rows(`
    SELECT e.snippet
    FROM read_parquet($1) AS t, unnest(t.evidence) AS u(e)
    ORDER BY t.id, e.byte_start`)).map((r) => r.snippet),
  undeclared_violence: (await rows(`
    SELECT id FROM read_parquet($1)
    WHERE list_contains(undeclared_warnings, 'violence') ORDER BY id`)).map((r) => r.id),
  null_declared_rating: (await rows(`
    SELECT id FROM read_parquet($1)
    WHERE declared_rating IS NULL ORDER BY id`)).map((r) => r.id),
  empty_authors: (await rows(`
    SELECT id FROM read_parquet($1)
    WHERE authors IS NOT NULL AND len(authors) = 0 ORDER BY id`)).map((r) => r.id),
  column_types: Object.fromEntries((await rows(`
    SELECT column_name, column_type
    FROM (DESCRIBE SELECT * FROM read_parquet($1))`)).map((r) => [r.column_name, r.column_type])),
  metadata: Object.fromEntries((await rows(`
    SELECT decode(key) AS key, decode(value) AS value
    FROM parquet_kv_metadata($1)`)).map((r) => [r.key, r.value])),
  row_groups: (await rows(`
    SELECT count(DISTINCT row_group_id)::INTEGER AS n FROM parquet_metadata($1)`))[0].n,
};

con.closeSync();
instance.closeSync();
console.log(JSON.stringify(out));
