package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// duckDir holds query.mjs and its npm package (@duckdb/node-api), which
// .ci/run installs with `npm install`.
const duckDir = "testdata/duckdb"

// inCI reports whether the tests run in CI, where a missing tool is a
// failure rather than a reason to skip.
func inCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// missingTool fails the test in CI and skips it elsewhere.
func missingTool(t *testing.T, what string) {
	t.Helper()
	const fix = "install Node.js and run (cd pipeline/testdata/duckdb && npm install --no-audit --no-fund)"
	if inCI() {
		t.Fatalf("DuckDB interop test cannot run in CI: %s: %s", what, fix)
	}
	t.Skipf("skipping the DuckDB interop test: %s: %s (CI runs it)", what, fix)
}

// duckResult is what query.mjs prints.
type duckResult struct {
	RowCount int `json:"row_count"`
	Labels   []struct {
		ID        string  `json:"id"`
		Label     string  `json:"label"`
		Score     float64 `json:"score"`
		Threshold float64 `json:"threshold"`
		Detected  bool    `json:"detected"`
	} `json:"labels"`
	Bodies []struct {
		ID       string  `json:"id"`
		Encoding *string `json:"encoding"`
		BodyLine *int32  `json:"body_line"`
		BodyByte *int64  `json:"body_byte"`
	} `json:"bodies"`
	Ratings []struct {
		ID         string   `json:"id"`
		Confidence *float64 `json:"rating_confidence"`
		Passages   int      `json:"passages"`
		Cues       []string `json:"cues"`
	} `json:"ratings"`
	EvidenceSnippets   []string          `json:"evidence_snippets"`
	UndeclaredViolence []string          `json:"undeclared_violence"`
	NullDeclaredRating []string          `json:"null_declared_rating"`
	EmptyAuthors       []string          `json:"empty_authors"`
	ColumnTypes        map[string]string `json:"column_types"`
	Metadata           map[string]string `json:"metadata"`
	RowGroups          int               `json:"row_groups"`
}

// TestParquetDuckDB writes a Parquet file and queries it with DuckDB
// through Node.js, as an analyst would: LIST and STRUCT columns, nulls and
// key/value metadata must come out as documented.
func TestParquetDuckDB(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		missingTool(t, "node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(duckDir, "node_modules", "@duckdb", "node-api", "package.json")); err != nil {
		missingTool(t, "@duckdb/node-api is not installed in "+duckDir)
	}

	rows := sampleRows()
	rows[3].UndeclaredWarnings = []string{"death", "violence"}
	rows[0].Evidence[1].Snippet = "she died \xc3" // cut inside a character: DuckDB rejects invalid UTF-8
	path := filepath.Join(t.TempDir(), "labels.parquet")
	writeRows(t, path, SinkOptions{
		Version: "v0.9.0", Model: "tagger-nb@1.0.0", Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		RowsPerRowGroup: 2,
	}, rows)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, filepath.Join(duckDir, "query.mjs"), path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node query.mjs: %v\nstderr:\n%s", err, stderr.String())
	}
	var got duckResult
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("query.mjs printed no JSON result: %v\n%s", err, stdout.String())
	}
	t.Logf("DuckDB: %s", stdout.String())

	if got.RowCount != 4 {
		t.Errorf("row count = %d, want 4", got.RowCount)
	}
	type label struct {
		ID, Label        string
		Score, Threshold float64
		Detected         bool
	}
	var labels []label
	for _, l := range got.Labels {
		labels = append(labels, label{l.ID, l.Label, l.Score, l.Threshold, l.Detected})
	}
	wantLabels := []label{
		{"ao3/123", "death", 0.5, 0.375, true},
		{"ao3/123", "sexism", 0, 0.625, false},
		{"ao3/123", "violence", 0.93, 0.5, true},
		{"broken.epub", "violence", 0, 0, false},
	}
	if !reflect.DeepEqual(labels, wantLabels) {
		t.Errorf("unnest(labels) = %+v, want %+v", labels, wantLabels)
	}
	type body struct {
		ID       string
		Encoding string // "null" for NULL
		Line     int32  // -1 for NULL
		Byte     int64  // -1 for NULL
	}
	var bodies []body
	for _, b := range got.Bodies {
		x := body{b.ID, "null", -1, -1}
		if b.Encoding != nil {
			x.Encoding = *b.Encoding
		}
		if b.BodyLine != nil {
			x.Line = *b.BodyLine
		}
		if b.BodyByte != nil {
			x.Byte = *b.BodyByte
		}
		bodies = append(bodies, x)
	}
	wantBodies := []body{
		{"ao3/123", "windows-1252", 14, 812},
		{"broken.epub", "null", -1, -1},
		{"empty-lists", "utf-8", 1, 0},
		{"plain.txt", "null", -1, -1},
	}
	if !reflect.DeepEqual(bodies, wantBodies) {
		t.Errorf("encoding, body_line, body_byte = %+v, want %+v", bodies, wantBodies)
	}
	type rating struct {
		ID         string
		Confidence float64 // -1 for NULL
		Passages   int
		Cues       string
	}
	var ratings []rating
	for _, r := range got.Ratings {
		x := rating{r.ID, -1, r.Passages, strings.Join(r.Cues, ",")}
		if r.Confidence != nil {
			x.Confidence = *r.Confidence
		}
		ratings = append(ratings, x)
	}
	wantRatings := []rating{{"ao3/123", 0.75, 1, "violence"}, {"broken.epub", -1, 0, ""}, {"empty-lists", 0, 0, ""}, {"plain.txt", -1, 0, ""}}
	if !reflect.DeepEqual(ratings, wantRatings) {
		t.Errorf("rating_confidence, rating_evidence = %+v, want %+v", ratings, wantRatings)
	}
	lists := []struct {
		name      string
		got, want []string
	}{
		{"evidence snippets", got.EvidenceSnippets, []string{"he struck — «ouch» 💥", "she died \uFFFD"}},
		{"list_contains(undeclared_warnings, 'violence')", got.UndeclaredViolence, []string{"ao3/123", "broken.epub"}},
		{"declared_rating IS NULL", got.NullDeclaredRating, []string{"broken.epub", "empty-lists", "plain.txt"}},
		// Lists are never null: nil and empty both read as [].
		{"authors is an empty list", got.EmptyAuthors, []string{"broken.epub", "empty-lists", "plain.txt"}},
	}
	for _, l := range lists {
		if !reflect.DeepEqual(l.got, l.want) {
			t.Errorf("%s: %q, want %q", l.name, l.got, l.want)
		}
	}
	wantTypes := map[string]string{
		"id":                   "VARCHAR",
		"authors":              "VARCHAR[]",
		"undeclared_warnings":  "VARCHAR[]",
		"declared_rating":      "VARCHAR",
		"words":                "BIGINT",
		"encoding":             "VARCHAR",
		"body_line":            "INTEGER",
		"body_byte":            "BIGINT",
		"rating_underdeclared": "BOOLEAN",
		"rating_confidence":    "DOUBLE",
		"rating_evidence":      `STRUCT("label" VARCHAR, score DOUBLE, line_start INTEGER, line_end INTEGER, byte_start BIGINT, byte_end BIGINT, snippet VARCHAR)[]`,
		"labels":               `STRUCT("label" VARCHAR, "group" VARCHAR, score DOUBLE, threshold DOUBLE, detected BOOLEAN, "source" VARCHAR, passages INTEGER)[]`,
		"evidence":             `STRUCT("label" VARCHAR, score DOUBLE, line_start INTEGER, line_end INTEGER, byte_start BIGINT, byte_end BIGINT, snippet VARCHAR)[]`,
	}
	for col, want := range wantTypes {
		if got := got.ColumnTypes[col]; got != want {
			t.Errorf("DuckDB type of %s = %q, want %q", col, got, want)
		}
	}
	wantMeta := map[string]string{MetaVersion: "v0.9.0", MetaModel: "tagger-nb@1.0.0", MetaCreated: "2026-01-02T03:04:05Z", MetaSchema: OutputSchema}
	for k, want := range wantMeta {
		if got := got.Metadata[k]; got != want {
			t.Errorf("parquet_kv_metadata %s = %q, want %q", k, got, want)
		}
	}
	if got.RowGroups != 2 {
		t.Errorf("DuckDB sees %d row groups, want 2", got.RowGroups)
	}
}
