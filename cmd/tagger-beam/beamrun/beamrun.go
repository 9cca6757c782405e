// Package beamrun runs the stages of `tagger run` as an Apache Beam
// pipeline, so that a corpus too large for one machine is labelled by
// many, on any Beam runner (prism in process, Flink, Spark, Dataflow):
//
//	inputs (globs) → match → read, decode, parse headers (package datasets)
//	  → score each story (pipeline.ScoreStory, the stage tagger run runs)
//	  → huge stories: chunks (classify.SplitBody) → classify.Model.ScoreChunk
//	      → combined per story (order-independent) → FinishPartials → row
//	  → rows by shard → pipeline.NewSink, one file per shard
//
// Each row is the one `tagger run` writes for the same story; only the
// order of rows is not kept.
package beamrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/bmatcuk/doublestar/v4"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/config"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
	"github.com/tagger-dev/tagger/pipeline"
)

// DefaultStreamAbove is Config.StreamAbove's default, tagger run's: a story
// larger than this is split into chunks scored apart.
const DefaultStreamAbove = 16 << 20

// Config is one run of the pipeline.
type Config struct {
	// Inputs are files, directories and globs (doublestar: ** matches any
	// number of directories), read where the pipeline's workers run.
	// Each match is one input of tagger run: a directory's stories have
	// IDs relative to it, as `tagger run DIR` gives them.
	Inputs []string
	// Output is the prefix of the shards: PREFIX-SSSSS-of-NNNNN.parquet
	// (or .jsonl), numbered from 0.
	Output string
	// Format is "parquet" or "jsonl".
	Format string
	// ModelDir is the model's directory; "" loads the embedded default.
	ModelDir string
	// Sensitivity is the operating point ("" for balanced).
	Sensitivity string
	// Lexicon are lexicon overlays (YAML contents, not paths), merged into
	// the model in order as tagger run merges --lexicon files
	// (classify.Model.WithLexicon). They travel to the workers with the
	// DoFns, so that workers need no access to the files.
	Lexicon [][]byte
	// Thresholds override the sensitivity's threshold of the labels they
	// name (pipeline.Config.Thresholds), as a configuration file's
	// thresholds do in tagger run.
	Thresholds map[string]float64
	// Include and Exclude are the globs choosing the files read under a
	// directory input (datasets.NewSelector), as tagger run's --include and
	// --exclude: with no Include, files in story formats are read.
	Include, Exclude []string
	// Shards is the number of output files (default 1).
	Shards int
	// StreamAbove is the size above which a text story is split into
	// chunks instead of read whole (default DefaultStreamAbove).
	StreamAbove int64
	// Version is tagger's version, recorded in the output's metadata.
	Version string
	// Created is recorded in the output's metadata (zero: not recorded).
	Created time.Time
}

// Shard returns the path of shard i (0-based) of n.
func (c Config) Shard(i, n int) string {
	return fmt.Sprintf("%s-%05d-of-%05d.%s", c.Output, i, n, c.Format)
}

// ShardPaths returns the paths of every shard the run writes.
func (c Config) ShardPaths() []string {
	out := make([]string, c.Shards)
	for i := range out {
		out[i] = c.Shard(i, c.Shards)
	}
	return out
}

// Check fills the defaults of cfg and checks it: the format, the
// sensitivity, the include and exclude globs, the model with its overlays
// (loaded, for its name) and the shards' paths,
// which may not be inputs nor lie in an input directory. It returns the
// model's name@version.
func (c *Config) Check() (string, error) {
	switch {
	case len(c.Inputs) == 0:
		return "", errors.New("no --input: give at least one file, directory or glob")
	case c.Output == "":
		return "", errors.New("no --output PREFIX")
	case c.Format != "parquet" && c.Format != "jsonl":
		return "", fmt.Errorf("--format %q: use parquet or jsonl", c.Format)
	case c.Shards < 0:
		return "", fmt.Errorf("--shards %d: use a positive number", c.Shards)
	}
	if c.Shards == 0 {
		c.Shards = 1
	}
	if c.StreamAbove <= 0 {
		c.StreamAbove = DefaultStreamAbove
	}
	if c.Sensitivity == "" {
		c.Sensitivity = string(classify.Balanced)
	}
	s, err := classify.ParseSensitivity(c.Sensitivity)
	if err != nil {
		return "", fmt.Errorf("--sensitivity: %w", err)
	}
	c.Sensitivity = string(s)
	if _, err := datasets.NewSelector(c.Include, c.Exclude); err != nil {
		return "", fmt.Errorf("--include/--exclude: %w", err)
	}
	mc, err := c.model().config()
	if err != nil {
		return "", err
	}
	// The output check of tagger run, against the inputs as given (globs
	// are matched by the workers, so a glob's own matches are not known
	// here; its directory part is).
	var roots []string
	for _, in := range c.Inputs {
		if hasMeta(in) {
			base, _ := doublestar.SplitPattern(filepath.ToSlash(in))
			in = filepath.FromSlash(base)
		}
		roots = append(roots, in)
	}
	for _, p := range c.ShardPaths() {
		if err := pipeline.CheckOutput(p, roots); err != nil {
			return "", err
		}
	}
	return mc.Model.NameVersion(), nil
}

// Settings is what besides the model and the sensitivity changes the
// rows, recorded as tagger run records it (tagger.settings): the overlays
// by content and the thresholds (config.Fingerprint).
func (c Config) Settings() string { return config.Fingerprint(c.Lexicon, c.Thresholds) }

// model is the model's part of c, which the scoring DoFns carry.
func (c Config) model() modelSpec {
	return modelSpec{Dir: c.ModelDir, Sensitivity: c.Sensitivity, Lexicon: c.Lexicon, Thresholds: c.Thresholds}
}

// loadModel loads the model in dir, or the embedded default model.
func loadModel(dir string) (*classify.Model, error) {
	if dir == "" {
		m, err := models.Default()
		if err != nil {
			return nil, fmt.Errorf("load the default model: %w", err)
		}
		return m, nil
	}
	m, err := classify.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", dir, err)
	}
	return m, nil
}

// Build returns the pipeline of cfg (checked by Config.Check) and the
// model's name@version it records. Run it with beam.Run or beamx.Run.
func Build(cfg Config) (*beam.Pipeline, error) {
	model, err := cfg.Check()
	if err != nil {
		return nil, err
	}
	p, s := beam.NewPipelineWithRoot()
	globs := make([]any, len(cfg.Inputs))
	for i, in := range cfg.Inputs {
		globs[i] = inputRef{Index: i, Path: in}
	}
	// Every match, then every story, then every chunk is spread over the
	// workers (Reshuffle): one input may be a corpus of many stories, and
	// one story may be huge.
	matches := beam.Reshuffle(s, beam.ParDo(s.Scope("match"), &matchFn{}, beam.Create(s, globs...)))
	stories, chunks := beam.ParDo2(s.Scope("read"), &readFn{StreamAbove: cfg.StreamAbove, Include: cfg.Include, Exclude: cfg.Exclude}, matches)
	rows, streamed := beam.ParDo2(s.Scope("score"), &scoreFn{Model: cfg.model()}, beam.Reshuffle(s, stories))
	parts := beam.ParDo(s.Scope("score chunks"), &scoreChunkFn{Model: cfg.model()}, beam.Reshuffle(s, chunks))
	perStory := beam.CombinePerKey(s.Scope("combine chunks"), &combinePartials{}, parts)
	huge := beam.ParDo(s.Scope("finish"), &finishFn{Model: cfg.model()},
		beam.CoGroupByKey(s, streamed, perStory))
	all := beam.Flatten(s, rows, huge)
	shardIDs := make([]any, cfg.Shards)
	for i := range shardIDs {
		shardIDs[i] = i
	}
	// Every shard is written, an empty one too, so that the set of files
	// is always whole.
	keys := beam.ParDo(s, &shardKeyFn{}, beam.Create(s, shardIDs...))
	keyed := beam.ParDo(s, &keyRowFn{Shards: cfg.Shards}, all)
	created := ""
	if !cfg.Created.IsZero() {
		created = cfg.Created.UTC().Format(time.RFC3339Nano)
	}
	beam.ParDo(s.Scope("write"), &writeFn{Output: cfg.Output, Format: cfg.Format, Shards: cfg.Shards, Version: cfg.Version,
		Model: model, Sensitivity: cfg.Sensitivity, Settings: cfg.Settings(), Created: created}, beam.CoGroupByKey(s, keys, keyed))
	return p, nil
}

// inputRef is one input as given, numbered so that the same file given
// twice is two inputs, as in tagger run.
type inputRef struct {
	Index int
	Path  string
}

// storyMsg is a story read, sent to the scorers: datasets.Story with its
// text and its error as a message.
type storyMsg struct {
	// Key identifies the story in the run: its input, match and place.
	Key string
	// Story is the datasets.Story without its text and error, as gob:
	// Beam takes no interface field (Story.Err) in an element.
	Story []byte
	Text  string
	// Err is why the story could not be read (its row holds it as is);
	// ScoreErr why a chunked story's body could not be read while it was
	// split (its row holds it as a scoring error, as tagger run's does).
	Err, ScoreErr string
	// Chunked marks a story too large to send whole: its chunks follow
	// apart, under Key.
	Chunked bool
}

// newStoryMsg returns the message of s, read from input key.
func newStoryMsg(key string, s *datasets.Story) (storyMsg, error) {
	msg := storyMsg{Key: key, Text: s.Text}
	if s.Err != nil {
		msg.Err = s.Err.Error()
	}
	meta := *s
	meta.Text, meta.Err = "", nil
	var err error
	if msg.Story, err = encodeGob(meta); err != nil {
		return msg, fmt.Errorf("story %s: %w", s.Source, err)
	}
	return msg, nil
}

// story returns the datasets.Story of m.
func (m storyMsg) story() (*datasets.Story, error) {
	s, err := decodeGob[datasets.Story](m.Story)
	if err != nil {
		return nil, fmt.Errorf("story %q: %w", m.Key, err)
	}
	s.Text = m.Text
	if m.Err != "" {
		s.Err = errors.New(m.Err)
	}
	return &s, nil
}

// matchFn expands an input into the paths it names: a glob's matches in
// lexical order, or the input itself (a file, a directory, or a name that
// does not exist, which tagger run reports as a row with its error).
type matchFn struct{}

// ProcessElement emits the matches of in.
func (*matchFn) ProcessElement(in inputRef, emit func(inputRef)) error {
	if !hasMeta(in.Path) {
		emit(in)
		return nil
	}
	matches, err := doublestar.FilepathGlob(in.Path)
	if err != nil {
		return fmt.Errorf("--input %q: %w", in.Path, err)
	}
	if len(matches) == 0 {
		emit(in) // read as a name: a row saying it does not exist
		return nil
	}
	slices.Sort(matches)
	for _, m := range matches {
		emit(inputRef{Index: in.Index, Path: m})
	}
	return nil
}

// hasMeta reports whether p is a glob rather than a name.
func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[{") }

// readFn reads the stories of one input (package datasets), as tagger run
// reads them, choosing the files under a directory by Include and Exclude.
// A story over StreamAbove is split into chunks, each sent apart with its
// start line, under the story's key.
type readFn struct {
	StreamAbove      int64
	Include, Exclude []string
}

// ProcessElement reads in, emitting stories and the chunks of huge ones.
func (f *readFn) ProcessElement(ctx context.Context, in inputRef, emit func(storyMsg), emitChunk func(string, classify.Chunk)) error {
	// tagger run's selection: story formats, or Include, under directories
	sel, err := datasets.NewSelector(f.Include, f.Exclude)
	if err != nil {
		return fmt.Errorf("selector: %w", err)
	}
	defer func() {
		if n, _ := sel.Skipped(); n > 0 {
			beam.NewCounter("tagger", "skipped").Inc(ctx, int64(n))
		}
	}()
	opts := datasets.Options{StreamAbove: f.StreamAbove, NoWordCount: true, Select: sel.Select}
	n := 0
	for s := range datasets.Read(ctx, []string{in.Path}, opts) {
		msg, err := newStoryMsg(fmt.Sprintf("%d\x00%s\x00%d", in.Index, in.Path, n), s)
		if err != nil {
			return err
		}
		n++
		if s.Err == nil && s.Streamed() {
			msg.Chunked = true
			body, err := s.OpenBody()
			if err != nil {
				msg.Err = err.Error() // tagger run's row for it: the error as is
			} else {
				err = classify.SplitBody(ctx, body, s.BodyByte, s.BodyLine, func(c classify.Chunk) error {
					emitChunk(msg.Key, c)
					return nil
				})
				body.Close()
				if err != nil {
					if ctx.Err() != nil {
						return err // cancelled: the runner retries or gives up
					}
					msg.ScoreErr = err.Error()
				}
			}
		}
		emit(msg)
	}
	return ctx.Err()
}

// modelSpec is what the scoring DoFns need to build the model and tagger
// run's scoring: serialised with them, it holds the overlays' contents
// and the thresholds, so that a worker reads no file but the model's.
type modelSpec struct {
	Dir, Sensitivity string
	Lexicon          [][]byte
	Thresholds       map[string]float64
}

// config loads the model and merges the overlays, once per DoFn instance
// (Setup), and returns tagger run's configuration of its scoring.
func (ms modelSpec) config() (pipeline.Config, error) {
	m, err := loadModel(ms.Dir)
	if err != nil {
		return pipeline.Config{}, err
	}
	for i, overlay := range ms.Lexicon {
		if m, err = m.WithLexicon(overlay); err != nil {
			return pipeline.Config{}, fmt.Errorf("lexicon overlay %d: %w", i+1, err)
		}
	}
	return pipeline.Config{Model: m, Sensitivity: classify.Sensitivity(ms.Sensitivity), Thresholds: ms.Thresholds, Workers: 1}, nil
}

// scoreFn scores the stories read whole as tagger run scores them, and
// passes on the stories read in chunks.
type scoreFn struct {
	Model modelSpec
	cfg   pipeline.Config
}

// Setup loads the model.
func (f *scoreFn) Setup() (err error) {
	f.cfg, err = f.Model.config()
	return err
}

// ProcessElement emits the row of a story read whole, or the story of a
// chunked one keyed for the chunks' combined scores.
func (f *scoreFn) ProcessElement(ctx context.Context, msg storyMsg, emit func(pipeline.Row), emitChunked func(string, storyMsg)) error {
	if msg.Chunked {
		emitChunked(msg.Key, msg)
		return nil
	}
	s, err := msg.story()
	if err != nil {
		return err
	}
	emit(pipeline.ScoreStory(ctx, f.cfg, s))
	return nil
}

// scoreChunkFn scores one chunk of a huge story.
type scoreChunkFn struct {
	Model modelSpec
	cfg   pipeline.Config
}

// Setup loads the model.
func (f *scoreChunkFn) Setup() (err error) {
	f.cfg, err = f.Model.config()
	return err
}

// ProcessElement emits the chunk's partial score under its story's key.
func (f *scoreChunkFn) ProcessElement(ctx context.Context, key string, c classify.Chunk, emit func(string, classify.Partial)) error {
	p, err := f.cfg.Model.ScoreChunk(ctx, c, f.cfg.PredictOptions())
	if err != nil {
		return fmt.Errorf("score chunk at byte %d: %w", c.Off, err)
	}
	beam.NewCounter("tagger", "chunks").Inc(ctx, 1)
	emit(key, *p)
	return nil
}

// partialSet is the chunks' scores of one story, in no order:
// FinishPartials orders them, so combining is order-independent.
type partialSet struct {
	Parts []classify.Partial
}

// combinePartials gathers the partial scores of a story's chunks.
type combinePartials struct{}

// CreateAccumulator returns an empty set.
func (*combinePartials) CreateAccumulator() partialSet { return partialSet{} }

// AddInput adds one chunk's score.
func (*combinePartials) AddInput(a partialSet, p classify.Partial) partialSet {
	a.Parts = append(a.Parts, p)
	return a
}

// MergeAccumulators joins two sets.
func (*combinePartials) MergeAccumulators(a, b partialSet) partialSet {
	a.Parts = append(a.Parts, b.Parts...)
	return a
}

// ExtractOutput returns the set.
func (*combinePartials) ExtractOutput(a partialSet) partialSet { return a }

// finishFn decides a chunked story from its chunks' scores and builds its
// row, as tagger run does for a story it streams.
type finishFn struct {
	Model modelSpec
	cfg   pipeline.Config
}

// Setup loads the model.
func (f *finishFn) Setup() (err error) {
	f.cfg, err = f.Model.config()
	return err
}

// ProcessElement emits the row of the chunked story key.
func (f *finishFn) ProcessElement(key string, stories func(*storyMsg) bool, sets func(*partialSet) bool, emit func(pipeline.Row)) error {
	var msg storyMsg
	n := 0
	for stories(&msg) {
		n++
	}
	if n != 1 {
		return fmt.Errorf("story %q: %d stories under one key (internal error)", key, n)
	}
	var parts []*classify.Partial
	var set partialSet
	for sets(&set) {
		for i := range set.Parts {
			parts = append(parts, &set.Parts[i])
		}
		set = partialSet{}
	}
	s, err := msg.story()
	if err != nil {
		return err
	}
	if msg.Err != "" {
		emit(pipeline.NewRow(s, nil, f.cfg.Model, s.Err))
		return nil
	}
	var res classify.Result
	if msg.ScoreErr != "" {
		err = errors.New(msg.ScoreErr)
	} else {
		res, err = f.cfg.Model.FinishPartials(parts, f.cfg.PredictOptions())
	}
	emit(pipeline.ScoredRow(s, f.cfg.Model, res, err))
	return nil
}

// shardKeyFn keys a shard number, so that every shard has a group.
type shardKeyFn struct{}

// ProcessElement emits (shard, true).
func (*shardKeyFn) ProcessElement(shard int) (int, bool) { return shard, true }

// keyRowFn assigns a row to a shard by a hash of its source.
type keyRowFn struct {
	Shards int
}

// ProcessElement emits the row under its shard.
func (f *keyRowFn) ProcessElement(r pipeline.Row) (int, pipeline.Row) {
	h := fnv.New64a()
	h.Write([]byte(r.Source))
	return int(h.Sum64() % uint64(max(f.Shards, 1))), r
}

// writeFn writes one shard with tagger run's sink: a temporary file
// renamed when complete, so a retried shard replaces the file whole.
type writeFn struct {
	Output, Format       string
	Shards               int
	Version, Model       string
	Sensitivity, Created string
	Settings             string
}

// ProcessElement writes shard's rows and emits the file's path.
func (f *writeFn) ProcessElement(ctx context.Context, shard int, _ func(*bool) bool, rows func(*pipeline.Row) bool, emit func(string)) (err error) {
	path := Config{Output: f.Output, Format: f.Format}.Shard(shard, f.Shards)
	opt := pipeline.SinkOptions{Version: f.Version, Model: f.Model, Sensitivity: f.Sensitivity, Settings: f.Settings}
	if f.Created != "" {
		if opt.Created, err = time.Parse(time.RFC3339Nano, f.Created); err != nil {
			return fmt.Errorf("created %q: %w", f.Created, err)
		}
	}
	sink, err := pipeline.NewSink(path, opt)
	if err != nil {
		return fmt.Errorf("shard %d: %w", shard, err)
	}
	defer sink.Abort() // after Close, nothing
	written, failed := beam.NewCounter("tagger", "rows"), beam.NewCounter("tagger", "errors")
	batch := make([]pipeline.Row, 0, 256)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := sink.Write(batch); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		batch = batch[:0]
		return ctx.Err()
	}
	var r pipeline.Row
	for rows(&r) {
		batch = append(batch, r)
		written.Inc(ctx, 1)
		if r.Error != nil {
			failed.Inc(ctx, 1)
		}
		r = pipeline.Row{}
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := sink.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	emit(path)
	return nil
}

// encodeRow and decodeRow are the coder of rows between stages (register.go
// has the others): JSON, as the JSONL sink writes them, because gob would
// turn a pointer to false or 0 into nil, a value into a null.
func encodeRow(r pipeline.Row) ([]byte, error) { return json.Marshal(r) }

func decodeRow(b []byte) (pipeline.Row, error) {
	var r pipeline.Row
	err := json.Unmarshal(b, &r)
	return r, err
}

// Counts returns the rows written and the rows with an error, from the
// counters of a finished run (-1 each when the runner reports none).
func Counts(res beam.PipelineResult) (rows, failed int64) {
	rows = Counter(res, "rows")
	if failed = Counter(res, "errors"); rows >= 0 && failed < 0 {
		failed = 0 // no row failed: the counter was never touched
	}
	return rows, failed
}

// Counter returns the value of one of the run's counters: "rows" and
// "errors" written, "chunks" of huge stories scored, "skipped" files under
// directories not in a story format (-1 when the runner reports none).
func Counter(res beam.PipelineResult, name string) int64 {
	n := int64(-1)
	if res == nil {
		return n
	}
	for _, c := range res.Metrics().AllMetrics().Counters() {
		if c.Namespace() == "tagger" && c.Name() == name {
			n = max(n, 0) + c.Result()
		}
	}
	return n
}
