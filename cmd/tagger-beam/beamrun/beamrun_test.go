package beamrun

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/parquet-go/parquet-go"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/config"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/pipeline/benchcorpus"
)

// TestMain lets the test binary serve as a Beam worker, as the SDK asks.
func TestMain(m *testing.M) { ptest.MainWithDefault(m, "prism") }

const seeds = "../../../seeds"

// hockeyTestdata is cmd/tagger's: a hockey story whose penalty calls the
// default model takes for violence, and the overlay that allows them.
const hockeyTestdata = "../../tagger/testdata/config"

// hockeyAllow is the overlay's contents, as a worker receives them.
var hockeyAllow = mustRead(filepath.Join(hockeyTestdata, "hockey-allow.yaml"))

// goon is a second overlay, applied after hockeyAllow: it reweighs a
// term the first one adds.
var goon = []byte("version: 1\nlabels:\n  violence:\n    terms:\n      - {term: goon, weight: 2}\n")

func mustRead(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return b
}

// TestRowsEqualTaggerRun runs the pipeline on prism, in process, and
// checks that it writes, row for row (compared by source and id: the
// order is not kept), what tagger run's pipeline.Run writes for the same
// inputs, with the same key/value metadata.
func TestRowsEqualTaggerRun(t *testing.T) {
	dir := t.TempDir()
	corpus := generated(t, filepath.Join(dir, "corpus"), 200)
	bad := failing(t, filepath.Join(dir, "bad"))
	huge := hugeStory(t, filepath.Join(dir, "huge"), 3<<20)
	archive := archiveDir(t, filepath.Join(dir, "archive"))
	tests := []struct {
		name        string
		inputs      []string
		format      string
		shards      int
		sensitivity string
		streamAbove int64
		// wantErrors are sources whose rows must hold an error; wantChunks
		// the chunks of huge stories scored apart, at least.
		wantErrors []string
		wantRows   int
		wantChunks int64
		// Settings as tagger run's flags and configuration file give them.
		lexicon          [][]byte
		thresholds       map[string]float64
		include, exclude []string
		// wantSettings is the tagger.settings metadata; wantSkipped the
		// files skipped for not being in a story format; check looks at
		// the rows further.
		wantSettings string
		wantSkipped  int64
		check        func(t *testing.T, rows []pipeline.Row)
	}{
		{name: "seeds", inputs: []string{seeds}, format: "jsonl", shards: 2, wantRows: 4},
		{name: "seeds, parquet, high", inputs: []string{seeds + "/*.txt"}, format: "parquet", shards: 1, sensitivity: "high", wantRows: 4},
		{name: "generated corpus", inputs: []string{corpus + "/*.txt", corpus + "/records.jsonl"}, format: "parquet", shards: 3, wantRows: 200},
		{name: "failing stories", inputs: []string{bad, filepath.Join(dir, "nothing", "*.txt")}, format: "jsonl", shards: 2,
			wantErrors: []string{filepath.Join(bad, "broken.epub"), filepath.Join(bad, "binary.txt"), filepath.Join(bad, "empty.txt"),
				filepath.Join(dir, "nothing", "*.txt")}, wantRows: 5},
		{name: "huge story in chunks", inputs: []string{huge}, format: "parquet", shards: 1, streamAbove: 1 << 20, wantRows: 2, wantChunks: 3},
		// An archive's allow-list and threshold: the overlay removes the
		// hockey story's violence false alarm (its score), the threshold the seed's
		// violence; the excluded drafts and the overlay file beside the
		// stories (not a story format) are not read.
		{name: "overlay, threshold, exclude", inputs: []string{archive}, format: "jsonl", shards: 2, wantRows: 5,
			lexicon: [][]byte{hockeyAllow}, thresholds: map[string]float64{"violence": 0.999}, exclude: []string{"drafts/**"},
			wantSettings: "lexicon=" + sha6(hockeyAllow) + " thresholds=violence:0.999", wantSkipped: 2,
			check: func(t *testing.T, rows []pipeline.Row) {
				// Thresholds do not move scores: under 0.5, the overlay
				// silenced the hockey calls (the plain run's is over).
				if sc := score(t, rows, "hockey.txt", "violence"); sc >= 0.5 {
					t.Errorf("hockey.txt: violence score %.3f with the overlay, want under 0.5", sc)
				}
				detected(t, rows, "003_ef651ee35373ebd4.txt", "violence", false)
				detected(t, rows, "002_cd7afd8d40a901e0.txt", "pornography", true)
			}},
		{name: "overlay and threshold in chunks", inputs: []string{huge}, format: "parquet", shards: 1, streamAbove: 1 << 20, wantRows: 2, wantChunks: 3,
			lexicon: [][]byte{hockeyAllow, goon}, thresholds: map[string]float64{"violence": 0.999, "sexual-abuse": 0.2},
			wantSettings: "lexicon=" + sha6(hockeyAllow) + "," + sha6(goon) + " thresholds=violence:0.999,sexual-abuse:0.2",
			check: func(t *testing.T, rows []pipeline.Row) {
				detected(t, rows, "huge.txt", "violence", false)
			}},
		{name: "include", inputs: []string{archive}, format: "jsonl", shards: 1, wantRows: 1, include: []string{"*.story"}},
	}
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	// The settings must change the rows, or the tests above prove nothing.
	plain := taggerRun(t, Config{Inputs: []string{archive}, Format: "jsonl", Sensitivity: "balanced", StreamAbove: DefaultStreamAbove},
		"", filepath.Join(t.TempDir(), "plain.jsonl"))
	detected(t, plain, "hockey.txt", "violence", true)
	detected(t, plain, "003_ef651ee35373ebd4.txt", "violence", true)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "labels")
			cfg := Config{Inputs: tc.inputs, Output: out, Format: tc.format, Shards: tc.shards, Sensitivity: tc.sensitivity,
				StreamAbove: tc.streamAbove, Version: "test-version", Created: created,
				Lexicon: tc.lexicon, Thresholds: tc.thresholds, Include: tc.include, Exclude: tc.exclude}
			p, err := Build(cfg)
			if err != nil {
				t.Fatal(err)
			}
			model, err := cfg.Check()
			if err != nil {
				t.Fatal(err)
			}
			res, err := prism.Execute(context.Background(), p)
			if err != nil {
				t.Fatalf("prism: %v", err)
			}
			var got []pipeline.Row
			for _, shard := range cfg.ShardPaths() {
				rows, err := pipeline.ReadRows(shard)
				if err != nil {
					t.Fatalf("shard %s: %v", shard, err)
				}
				got = append(got, rows...)
			}
			wantPath := filepath.Join(t.TempDir(), "want."+tc.format)
			want := taggerRun(t, cfg, model, wantPath)
			if len(want) != tc.wantRows {
				t.Fatalf("tagger run wrote %d rows, the test expects %d", len(want), tc.wantRows)
			}
			compareRows(t, got, want)
			if rows, failed := Counts(res); rows != int64(len(got)) || failed != int64(countErrors(got)) {
				t.Errorf("counters: %d rows, %d errors; the shards hold %d and %d", rows, failed, len(got), countErrors(got))
			}
			if n := max(Counter(res, "chunks"), 0); n < tc.wantChunks || (tc.wantChunks == 0 && n > 0) {
				t.Errorf("%d chunks scored apart, want at least %d", n, tc.wantChunks)
			}
			if n := max(Counter(res, "skipped"), 0); n != tc.wantSkipped {
				t.Errorf("%d files skipped for their format, want %d", n, tc.wantSkipped)
			}
			if tc.check != nil {
				tc.check(t, got)
			}
			for _, src := range tc.wantErrors {
				i := slices.IndexFunc(got, func(r pipeline.Row) bool { return r.Source == src })
				if i < 0 || got[i].Error == nil || len(got[i].Labels) != 0 {
					t.Errorf("%s: want a row with its error and no labels", src)
				}
			}
			wantMeta := kvMeta(t, wantPath)
			if got := wantMeta[pipeline.MetaSettings]; got != tc.wantSettings {
				t.Errorf("tagger run's %s %q, want %q", pipeline.MetaSettings, got, tc.wantSettings)
			}
			for _, shard := range cfg.ShardPaths() {
				if m := kvMeta(t, shard); !reflect.DeepEqual(m, wantMeta) {
					t.Errorf("%s: metadata %v, tagger run's %v", shard, m, wantMeta)
				}
			}
			if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*")); len(matches) > 0 {
				t.Errorf("temporary files left: %v", matches)
			}
		})
	}
}

// taggerRun writes the rows of tagger run's pipeline for cfg's inputs and
// settings to path and returns them, as cmd/tagger's run does: the model
// with the overlays merged in order, the thresholds, the selector of the
// include and exclude globs, and config.Fingerprint's settings recorded.
// model is the name@version Check gave ("": not checked).
func taggerRun(t *testing.T, cfg Config, model, path string) []pipeline.Row {
	t.Helper()
	m, err := loadModel(cfg.ModelDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, overlay := range cfg.Lexicon {
		if m, err = m.WithLexicon(overlay); err != nil {
			t.Fatal(err)
		}
	}
	if model != "" && m.NameVersion() != model {
		t.Fatalf("model %s, Check said %s", m.NameVersion(), model)
	}
	sel, err := datasets.NewSelector(cfg.Include, cfg.Exclude)
	if err != nil {
		t.Fatal(err)
	}
	pc := pipeline.Config{Model: m, Sensitivity: classify.Sensitivity(cfg.Sensitivity), Thresholds: cfg.Thresholds,
		Select: sel.Select, StreamAbove: cfg.StreamAbove}
	sink, err := pipeline.NewSink(path, pipeline.SinkOptions{Version: cfg.Version, Model: m.NameVersion(), Sensitivity: cfg.Sensitivity,
		Settings: config.Fingerprint(cfg.Lexicon, cfg.Thresholds), Created: cfg.Created})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Abort()
	// A glob is given to tagger run as the shell would expand it.
	var inputs []string
	for _, in := range cfg.Inputs {
		m, _ := filepath.Glob(in)
		if len(m) == 0 {
			m = []string{in}
		}
		inputs = append(inputs, m...)
	}
	ctx := context.Background()
	if _, err := pipeline.Run(ctx, ctx, inputs, sink, pc, nil); err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := pipeline.ReadRows(path)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// detected checks that the row of the story whose source ends in name
// has label detected or not.
func detected(t *testing.T, rows []pipeline.Row, name, label string, want bool) {
	t.Helper()
	if l := labelOf(t, rows, name, label); l.Detected != want {
		t.Errorf("%s: %s detected %v (score %.3f, threshold %.3f), want %v", name, label, l.Detected, l.Score, l.Threshold, want)
	}
}

// score is the score of label in the row of the story named name.
func score(t *testing.T, rows []pipeline.Row, name, label string) float64 {
	t.Helper()
	return labelOf(t, rows, name, label).Score
}

// labelOf is label's score in the row of the story whose source ends in
// name.
func labelOf(t *testing.T, rows []pipeline.Row, name, label string) pipeline.LabelScore {
	t.Helper()
	for _, r := range rows {
		if filepath.Base(r.Source) != name {
			continue
		}
		for _, l := range r.Labels {
			if l.Label == label {
				return l
			}
		}
		t.Fatalf("%s: no label %s", name, label)
	}
	t.Fatalf("no row for %s", name)
	return pipeline.LabelScore{}
}

// sha6 is the first 6 bytes of b's SHA-256 in hex, as tagger.settings
// names an overlay.
func sha6(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// compareRows checks that got and want hold the same rows, in any order.
func compareRows(t *testing.T, got, want []pipeline.Row) {
	t.Helper()
	byKey := func(a, b pipeline.Row) int { return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID)) }
	slices.SortStableFunc(got, byKey)
	slices.SortStableFunc(want, byKey)
	if len(got) != len(want) {
		t.Errorf("%d rows, tagger run wrote %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			g, _ := json.Marshal(got[i])
			w, _ := json.Marshal(want[i])
			t.Errorf("row %s (%s) differs from tagger run's:\n got %s\nwant %s", want[i].ID, want[i].Source, g, w)
		}
	}
}

func countErrors(rows []pipeline.Row) int {
	n := 0
	for _, r := range rows {
		if r.Error != nil {
			n++
		}
	}
	return n
}

// kvMeta returns an output's key/value metadata: the Parquet footer's, or
// a JSONL file's sidecar.
func kvMeta(t *testing.T, path string) map[string]string {
	t.Helper()
	m := map[string]string{}
	if strings.HasSuffix(path, ".jsonl") {
		b, err := os.ReadFile(path + pipeline.MetaSuffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", path+pipeline.MetaSuffix, err)
		}
		return m
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, kv := range pf.Metadata().KeyValueMetadata {
		m[kv.Key] = kv.Value
	}
	return m
}

// generated writes n small stories made of the seeds' paragraphs, with
// varied headers: three quarters as files, the rest as a JSONL corpus.
func generated(t *testing.T, dir string, n int) string {
	t.Helper()
	paras, err := benchcorpus.Sources(seeds, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(16, 1))
	ratings := []string{"", "General Audiences", "Teen And Up Audiences", "Mature", "Explicit", "PG-13", "R"}
	warnings := []string{"", "No Archive Warnings Apply", "Graphic Depictions Of Violence", "Major Character Death",
		"Creator Chose Not To Use Archive Warnings", "self-harm, suicidal thoughts", "Rape/Non-Con"}
	var records []string
	for i := range n {
		var body strings.Builder
		for range 3 + r.IntN(25) {
			body.WriteString(paras[r.IntN(len(paras))])
			body.WriteString("\n\n")
		}
		rating, warning := ratings[r.IntN(len(ratings))], warnings[r.IntN(len(warnings))]
		if i%4 == 3 {
			rec, err := json.Marshal(map[string]string{"id": fmt.Sprintf("rec-%03d", i), "title": fmt.Sprintf("Record %d", i),
				"rating": rating, "warnings": warning, "text": body.String()})
			if err != nil {
				t.Fatal(err)
			}
			records = append(records, string(rec))
			continue
		}
		var h strings.Builder
		fmt.Fprintf(&h, "Title: Story %d\n", i)
		if rating != "" {
			fmt.Fprintf(&h, "Rating: %s\n", rating)
		}
		if warning != "" {
			fmt.Fprintf(&h, "Warnings: %s\n", warning)
		}
		writeFile(t, filepath.Join(dir, fmt.Sprintf("story-%03d.txt", i)), h.String()+"\n"+body.String())
	}
	writeFile(t, filepath.Join(dir, "records.jsonl"), strings.Join(records, "\n")+"\n")
	return dir
}

// archiveDir writes an archive's directory: the hockey story, the seeds,
// drafts to leave out, one story in a format of its own (.story) and the
// team's overlay beside the stories.
func archiveDir(t *testing.T, dir string) string {
	t.Helper()
	writeFile(t, filepath.Join(dir, "hockey.txt"), string(mustRead(filepath.Join(hockeyTestdata, "hockey.txt"))))
	seedFiles, err := filepath.Glob(filepath.Join(seeds, "*.txt"))
	if err != nil || len(seedFiles) != 4 {
		t.Fatalf("seeds: %v, %v", seedFiles, err)
	}
	for _, f := range seedFiles {
		writeFile(t, filepath.Join(dir, filepath.Base(f)), string(mustRead(f)))
	}
	writeFile(t, filepath.Join(dir, "drafts", "draft.txt"), "Title: Draft\n\nNot finished.\n")
	writeFile(t, filepath.Join(dir, "own.story"), "Title: Own format\n\nA quiet walk by the river.\n")
	writeFile(t, filepath.Join(dir, "allow.yaml"), string(hockeyAllow))
	return dir
}

// failing writes stories that cannot be read beside one that can.
func failing(t *testing.T, dir string) string {
	t.Helper()
	writeFile(t, filepath.Join(dir, "broken.epub"), "PK\x03\x04 this is not a zip archive")
	writeFile(t, filepath.Join(dir, "binary.txt"), "Title: x\n\x00\x01\x02\x00binary")
	writeFile(t, filepath.Join(dir, "empty.txt"), "")
	b, err := os.ReadFile(filepath.Join(seeds, "003_ef651ee35373ebd4.txt"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "fine.txt"), string(b))
	return dir
}

// hugeStory writes a directory with a story of about size bytes (CRLF line
// ends, so that a line break may straddle chunks) and a small one.
func hugeStory(t *testing.T, dir string, size int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(seeds, "000_c1bd1572a1f429f3.txt"))
	if err != nil {
		t.Fatal(err)
	}
	body := strings.ReplaceAll(string(b), "\n", "\r\n")
	writeFile(t, filepath.Join(dir, "huge.txt"), "Title: Huge\r\nRating: Teen\r\n\r\n"+strings.Repeat(body, size/len(body)+1))
	writeFile(t, filepath.Join(dir, "small.txt"), string(b))
	return dir
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
