package classify

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/nb"
	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/taxonomy"
)

// Files of a model directory.
const (
	ManifestFile = "manifest.json"
	LexiconFile  = "lexicon.yaml"
	TablesFile   = "nb.bin"
	VocabFile    = "vocab.txt"
	// CompiledLexiconFile holds the lexicon compiled (lexicon.LoadCompiled),
	// so that loading skips parsing the YAML. It is derived from
	// LexiconFile and checked against it when loaded, so it is not part of
	// the content hash; when it is missing or stale the YAML is compiled.
	CompiledLexiconFile = "lexicon.bin"
)

// Sensitivity chooses the operating point of every label's threshold.
type Sensitivity string

// Sensitivities: low favours precision (F0.5), balanced F1, high recall (F2).
const (
	Low      Sensitivity = "low"
	Balanced Sensitivity = "balanced"
	High     Sensitivity = "high"
)

// ParseSensitivity checks a sensitivity name.
func ParseSensitivity(s string) (Sensitivity, error) {
	switch Sensitivity(s) {
	case Low, Balanced, High:
		return Sensitivity(s), nil
	}
	return "", fmt.Errorf("sensitivity %q: use low, balanced or high", s)
}

// Thresholds are a label's decision thresholds on its raw window score,
// one per sensitivity.
type Thresholds struct {
	Low      float64 `json:"low"`
	Balanced float64 `json:"balanced"`
	High     float64 `json:"high"`
}

func (t Thresholds) at(s Sensitivity) float64 {
	switch s {
	case Low:
		return t.Low
	case High:
		return t.High
	}
	return t.Balanced
}

// LabelInfo is what the manifest records of one label.
type LabelInfo struct {
	Label string `json:"label"`
	// Source is "model" when naive Bayes was trained for the label (with
	// lexicon features), "lexicon" when the lexicon alone scores it.
	Source   LabelSource `json:"source"`
	Train    int         `json:"train_examples,omitempty"`
	Positive int         `json:"train_positive,omitempty"`
	// Gate is the lexicon weight a window needs before naive Bayes scores
	// it (model labels; see TrainConfig.Gates).
	Gate float64 `json:"gate,omitempty"`
	// Scale is the spread of the label's raw scores on training data.
	Scale float64 `json:"scale,omitempty"`
	// Platt calibrates a window's raw score z to a probability,
	// sigmoid(Platt[0]*z + Platt[1]), fitted on training data.
	Platt      [2]float64 `json:"platt,omitempty"`
	Thresholds Thresholds `json:"thresholds"`
	// Story are the thresholds on the label's story statistic (see
	// AggregateStory), set by CalibrateStories; for a label the story
	// model scores, on its log-odds.
	Story Thresholds `json:"story"`
	// StoryModel is set when the story model (StoryFile) scores the label,
	// and StoryPositive counts the declaring works it was trained on.
	StoryModel    bool `json:"story_model,omitempty"`
	StoryPositive int  `json:"story_positive,omitempty"`
}

// Manifest describes a model: what it is, how it was trained, and the
// content hash of its files.
type Manifest struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Created string `json:"created,omitempty"`
	Hash    string `json:"hash"` // sha256 over the other files, in name order (see HashScheme)
	// HashScheme says what Hash covers: HashFilesManifest, or, when empty
	// (models saved before it), the other files alone.
	HashScheme string       `json:"hash_scheme,omitempty"`
	Config     TrainConfig  `json:"config"`
	Labels     []LabelInfo  `json:"labels"`
	Rating     RatingConfig `json:"rating"`
	Notes      string       `json:"notes,omitempty"`
	Eval       *EvalSummary `json:"eval,omitempty"`
	// StoryCalibration records how the story thresholds were set.
	StoryCalibration *StoryCalibration `json:"story_calibration,omitempty"`
	Data             []DataSummary     `json:"data,omitempty"`
	// StoryCV is the cross-validation of the story model on the corpus it
	// was trained on (tagger train --corpus).
	StoryCV *StoryCV `json:"story_cv,omitempty"`
}

// DataSummary records one training input.
type DataSummary struct {
	Path     string `json:"path"`
	Examples int    `json:"examples"`
}

// Model is a trained classifier: the lexicon, naive-Bayes tables and
// per-label thresholds. It is immutable and safe for concurrent use.
type Model struct {
	manifest Manifest
	tax      *taxonomy.Taxonomy
	lex      *lexicon.Lexicon
	nb       *nb.Model // nil when no label has training data
	fz       featurizer
	// labels in taxonomy order, and per label its NB column (-1: lexicon only).
	labels []taxonomy.Label
	nbCol  []int
	// nbMask has bit li set when label li is scored by naive Bayes.
	nbMask uint64
	// scene is the index of sceneLabel when the lexicon scores it, else
	// -1 (see sceneLabel).
	scene int
	// free holds scoring buffers for reuse, sgs scoring states.
	free scratches
	sgs  scorings
	info []LabelInfo
	// labelIdx maps label ids to their index in labels.
	labelIdx map[string]int
	// lexFeat holds each label's lexiconFeature, plain and negated.
	lexFeat [][2]uint64
	seg     func() (*tokenize.Segmenter, error)
	vocab   []string
	// story is the story model (nil without one), storyCol each label's
	// column in it (-1: not scored by it), storyFile its bytes.
	story     *StoryModel
	storyCol  []int
	storyFile []byte
	accs      *accPool // story feature accumulators for reuse
}

// Manifest returns the model's manifest.
func (m *Model) Manifest() Manifest { return m.manifest }

// Lexicon returns the model's lexicon.
func (m *Model) Lexicon() *lexicon.Lexicon { return m.lex }

// NameVersion returns "name@version", the model column of the output row.
func (m *Model) NameVersion() string { return m.manifest.Name + "@" + m.manifest.Version }

// WithLexicon returns a copy of m whose lexicon has overlay merged in
// (tagger check --lexicon): terms added, reweighted or silenced.
func (m *Model) WithLexicon(overlay []byte) (*Model, error) {
	lex, err := m.lex.Merge(overlay)
	if err != nil {
		return nil, err
	}
	c := *m
	c.lex = lex
	c.fz.lex = lex
	return &c, nil
}

// newModel wires the parts of a model together.
func newModel(man Manifest, lex *lexicon.Lexicon, tables *nb.Model, vocab []string) (*Model, error) {
	tax := taxonomy.Default()
	m := &Model{manifest: man, tax: tax, lex: lex, nb: tables, labels: tax.Labels(), vocab: vocab, free: newScratches(), sgs: newScorings()}
	if len(m.labels) > 64 {
		return nil, fmt.Errorf("model %s: %d labels; scoring supports at most 64", man.Name, len(m.labels))
	}
	m.fz = featurizer{cfg: man.Config.Features, lex: lex}
	if man.Config.Features.Subwords {
		if len(vocab) == 0 {
			return nil, fmt.Errorf("model %s uses subwords but has no %s", man.Name, VocabFile)
		}
		sub, err := tokenize.NewSubworder(vocab, 1<<16)
		if err != nil {
			return nil, fmt.Errorf("subword vocabulary: %w", err)
		}
		m.fz.sub = sub
	}
	byLabel := map[string]LabelInfo{}
	for _, li := range man.Labels {
		byLabel[li.Label] = li
	}
	col := map[string]int{}
	if tables != nil {
		for i, l := range tables.Labels() {
			col[l] = i
		}
	}
	for _, l := range m.labels {
		li, ok := byLabel[l.ID]
		if !ok {
			return nil, fmt.Errorf("model %s: manifest has no entry for label %s", man.Name, l.ID)
		}
		c, trained := col[l.ID]
		if li.Source == SourceModel && !trained {
			return nil, fmt.Errorf("model %s: label %s says source model but %s has no column for it", man.Name, l.ID, TablesFile)
		}
		if li.Source != SourceModel {
			c = -1
		}
		if c >= 0 {
			m.nbMask |= 1 << len(m.nbCol)
		}
		m.nbCol = append(m.nbCol, c)
		m.info = append(m.info, li)
	}
	m.seg = tokenize.SharedSegmenter
	m.labelIdx = m.labelLookup()
	m.lexFeat = make([][2]uint64, len(m.labels))
	for li, l := range m.labels {
		m.lexFeat[li] = [2]uint64{lexiconFeature(l.ID, false), lexiconFeature(l.ID, true)}
	}
	m.scene = -1
	if li, ok := m.labelIdx[sceneLabel]; ok && m.nbCol[li] < 0 {
		m.scene = li
	}
	return m, nil
}

// An InPlaceFS is a model file system that can lend a file's contents
// where they lie instead of copying them, as an embedded model can. Load
// reads every file it lends through it, and the compiled lexicon then
// uses its lookup tables in place: a short-lived check neither copies
// them nor builds them (see lexicon.LoadCompiled).
type InPlaceFS interface {
	fs.FS
	// InPlace returns the named file's contents, which stay valid and
	// unmodified while the program runs, and true; or false when it does
	// not lend that file.
	InPlace(name string) ([]byte, bool)
}

// A VerifiedFS is a model file system whose files are known to match
// their manifest's hash, and whose compiled lexicon to be intact, as
// those built into the program are (tests of theirs check both): Load
// does not hash or checksum them again (a compiled lexicon is still
// checked against its source, so an edited lexicon file is read as such).
type VerifiedFS interface {
	fs.FS
	// HashVerified reports whether the files match the manifest's hash
	// and the compiled lexicon is intact.
	HashVerified() bool
}

// readModelFile reads the named file of fsys, lent in place when fsys is
// an InPlaceFS that lends it (then read-only).
func readModelFile(fsys fs.FS, name string) ([]byte, error) {
	if ip, ok := fsys.(InPlaceFS); ok {
		if b, ok := ip.InPlace(name); ok {
			return b, nil
		}
	}
	return fs.ReadFile(fsys, name)
}

// Load reads a model from a directory tree: the files named by the File
// constants. It verifies the manifest's content hash, unless fsys is a
// VerifiedFS that vouches for it. An fsys that is an InPlaceFS lends its
// files, which the model then only reads.
func Load(fsys fs.FS) (*Model, error) {
	mb, err := readModelFile(fsys, ManifestFile)
	if err != nil {
		return nil, fmt.Errorf("read model file %s: %w", ManifestFile, err)
	}
	// The lexicon, the largest part, loads on another core while the
	// manifest is decoded (1.5-2 ms in a new process, most of it
	// encoding/json learning the manifest's types), the hash checked and
	// the tables read: a check's start-up waits for all of it. The channel
	// is buffered: on an early return the goroutine still ends.
	type loaded struct {
		lex *lexicon.Lexicon
		err error
	}
	lexc := make(chan loaded, 1)
	source, sourceErr := readModelFile(fsys, LexiconFile)
	if sourceErr == nil {
		go func() {
			lex, err := loadLexicon(fsys, source)
			lexc <- loaded{lex, err}
		}()
	}
	var man Manifest
	if err := json.Unmarshal(mb, &man); err != nil {
		return nil, fmt.Errorf("parse %s: %w", ManifestFile, err)
	}
	files := map[string][]byte{}
	for _, name := range []string{LexiconFile, TablesFile, VocabFile, StoryFile} {
		b, err := source, sourceErr
		if name != LexiconFile {
			b, err = readModelFile(fsys, name)
		}
		if errors.Is(err, fs.ErrNotExist) && name != LexiconFile {
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("model %s: %s is missing: copy the whole model directory, or train it again", man.Name, name)
		}
		if err != nil {
			return nil, fmt.Errorf("read model file %s: %w", name, err)
		}
		files[name] = b
	}
	// Missing files are said before the hash, which would only say that
	// the files changed.
	for _, l := range man.Labels {
		if _, ok := files[StoryFile]; !ok && l.StoryModel {
			return nil, fmt.Errorf("model %s: %s is missing, yet its story model scores %s: copy the whole model directory, or train it again", man.Name, StoryFile, l.Label)
		}
		if _, ok := files[TablesFile]; !ok && l.Source == SourceModel {
			return nil, fmt.Errorf("model %s: %s is missing, yet its naive-Bayes tables score %s: copy the whole model directory, or train it again", man.Name, TablesFile, l.Label)
		}
	}
	// lexiconFirst reports a lexicon error before err, as when the
	// lexicon was loaded before the rest.
	lexiconFirst := func(err error) error {
		if l := <-lexc; l.err != nil {
			return fmt.Errorf("model %s: %w", man.Name, l.err)
		}
		return err
	}
	if v, ok := fsys.(VerifiedFS); ok && v.HashVerified() {
		// Vouched for.
	} else if got, err := manifestHash(man.HashScheme, mb, files); err != nil {
		return nil, fmt.Errorf("model %s: %w", man.Name, err)
	} else if man.Hash != "" && got != man.Hash {
		return nil, fmt.Errorf("model %s: files do not match the manifest hash (%s, manifest says %s); retrain or restore the model directory", man.Name, got[:12], shortHash(man.Hash))
	}
	_, hasTables := files[TablesFile]
	_, hasStory := files[StoryFile]
	if got := man.Config.Features.WordHash; (hasTables || hasStory) && got != tokenize.HashScheme {
		if got == "" {
			got = "fnv1a"
		}
		return nil, lexiconFirst(fmt.Errorf("model %s was made by an older tagger (word hash %q; this one hashes words with %q): rebuild it by running again the tagger train (and tagger calibrate, if it was calibrated) commands that made it, with the same data", man.Name, got, tokenize.HashScheme))
	}
	var tables *nb.Model
	if b, ok := files[TablesFile]; ok {
		tables, err = nb.Parse(b)
		if err != nil {
			return nil, lexiconFirst(fmt.Errorf("model %s: %s: %w", man.Name, TablesFile, err))
		}
	}
	var vocab []string
	if b, ok := files[VocabFile]; ok {
		vocab = strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	}
	l := <-lexc
	if l.err != nil {
		return nil, fmt.Errorf("model %s: %w", man.Name, l.err)
	}
	lex := l.lex
	m, err := newModel(man, lex, tables, vocab)
	if err != nil {
		return nil, err
	}
	if b, ok := files[StoryFile]; ok {
		sm, err := readStoryModel(b, m.labelIdx, len(m.labels))
		if err != nil {
			return nil, fmt.Errorf("model %s: %s: %w", man.Name, StoryFile, err)
		}
		m = m.withStory(sm, b)
	}
	return m, nil
}

// loadLexicon loads the model's lexicon from its compiled form when there
// is one compiled from source, else from source.
func loadLexicon(fsys fs.FS, source []byte) (*lexicon.Lexicon, error) {
	bin, err := readModelFile(fsys, CompiledLexiconFile)
	if err == nil {
		var opt lexicon.CompiledOptions
		if v, ok := fsys.(VerifiedFS); ok && v.HashVerified() {
			opt.Verified = true
		}
		if ip, ok := fsys.(InPlaceFS); ok {
			_, opt.Lent = ip.InPlace(LexiconFile)
		}
		if lex, err := lexicon.LoadCompiledWith(bin, source, opt); err == nil {
			return lex, nil
		}
		// Stale or damaged: the YAML is the truth.
	}
	return lexicon.Load(source)
}

// withStory returns a copy of m with the story model sm (serialised as b).
func (m *Model) withStory(sm *StoryModel, b []byte) *Model {
	c := *m
	c.story, c.storyFile = sm, b
	if c.accs == nil {
		c.accs = newAccPool()
	}
	c.storyCol = make([]int, len(c.labels))
	for i := range c.storyCol {
		c.storyCol[i] = -1
	}
	if sm != nil {
		for k, li := range sm.labels {
			c.storyCol[li] = k
		}
	}
	return &c
}

// LoadDir reads a model from a directory on disk.
func LoadDir(dir string) (*Model, error) {
	m, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", dir, err)
	}
	return m, nil
}

// Save writes the model to dir, creating it, with a fresh content hash.
func (m *Model) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	files := map[string][]byte{LexiconFile: m.lex.Source()}
	// The compiled lexicon speeds up loading; it is left out of the hash
	// (loadLexicon checks it against the YAML).
	compiled, cerr := m.lex.Compiled()
	if m.nb != nil {
		var buf bytes.Buffer
		if err := m.nb.Write(&buf); err != nil {
			return err
		}
		files[TablesFile] = buf.Bytes()
	}
	if len(m.vocab) > 0 {
		files[VocabFile] = []byte(strings.Join(m.vocab, "\n") + "\n")
	}
	if m.storyFile != nil {
		files[StoryFile] = m.storyFile
	}
	man := m.manifest
	man.HashScheme, man.Hash = HashFilesManifest, ""
	raw, err := json.Marshal(man)
	if err != nil {
		return err
	}
	if man.Hash, err = manifestHash(man.HashScheme, raw, files); err != nil {
		return err
	}
	mb, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	files[ManifestFile] = append(mb, '\n')
	if cerr == nil {
		files[CompiledLexiconFile] = compiled
	} else if err := os.Remove(filepath.Join(dir, CompiledLexiconFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write model: %w", err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("write model: %w", err)
		}
	}
	return nil
}

// HashFilesManifest is the HashScheme under which Hash covers the manifest
// too (its thresholds, gates and rating decide as much as the files do),
// all but its Hash and Created: two models that decide differently never
// share a hash, and a model rebuilt to decide the same keeps its own.
const HashFilesManifest = "files+manifest"

// manifestHash is the Hash of a model whose manifest, as JSON, is mb and
// whose other files are files, under scheme. The manifest is hashed in a
// canonical form: decoded (numbers as written) and encoded again with its
// keys sorted, without "hash" and "created". So the hash does not depend
// on layout, survives the JSON round trip of any string (an invalid byte
// in a path is written as \ufffd and read back as U+FFFD), and covers
// fields a later tagger adds that this one does not know.
func manifestHash(scheme string, mb []byte, files map[string][]byte) (string, error) {
	switch scheme {
	case "":
		return contentHash(files), nil
	case HashFilesManifest:
		dec := json.NewDecoder(bytes.NewReader(mb))
		dec.UseNumber()
		var fields map[string]any
		if err := dec.Decode(&fields); err != nil {
			return "", fmt.Errorf("%s: %w", ManifestFile, err)
		}
		delete(fields, "hash")
		delete(fields, "created")
		canon, err := json.Marshal(fields)
		if err != nil {
			return "", fmt.Errorf("%s: %w", ManifestFile, err)
		}
		all := maps.Clone(files)
		all[ManifestFile] = canon
		return contentHash(all), nil
	}
	return "", fmt.Errorf("%s: unknown hash scheme %q: this tagger is older than the model; update tagger", ManifestFile, scheme)
}

// contentHash hashes files in name order, each as name, length and bytes.
func contentHash(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		io.WriteString(h, n)
		binary.Write(h, binary.LittleEndian, uint64(len(files[n])))
		h.Write(files[n])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// sigmoid maps a margin over a threshold to a score in (0, 1).
func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// labelIndex returns the index of a label in the model's label order.
func (m *Model) labelIndex(id string) int {
	return slices.IndexFunc(m.labels, func(l taxonomy.Label) bool { return l.ID == id })
}

// WithData returns a copy of m whose manifest records its training data.
func (m *Model) WithData(d []DataSummary) *Model {
	c := *m
	c.manifest.Data = d
	return &c
}

// knows reports whether the word hashing to h is in the naive-Bayes
// vocabulary (m.nb is not nil): a word of the training passages.
func (m *Model) knows(h uint64) bool { return m.nb.Row(h) != nil }

// score maps a raw window score of label li to 0..1: the calibrated
// probability for model labels, and for lexicon labels a score that is 0.5
// at the balanced threshold.
func (m *Model) score(li int, z float64) float64 {
	if math.IsInf(z, -1) {
		return 0
	}
	if p := m.info[li].Platt; m.nbCol[li] >= 0 && p[0] != 0 {
		return sigmoid(p[0]*z + p[1])
	}
	return sigmoid(z - m.info[li].Thresholds.Balanced)
}

// WithName returns a copy of m named name@version: a model trained from
// another keeps its weights, not its name.
func (m *Model) WithName(name, version string) *Model {
	c := *m
	c.manifest.Name, c.manifest.Version = name, version
	return &c
}

// WithEval returns a copy of m whose manifest records an evaluation.
func (m *Model) WithEval(e *EvalSummary) *Model {
	c := *m
	c.manifest.Eval = e
	return &c
}

// Taxonomy returns the taxonomy the model labels with (the readers take it
// to read declarations against the same labels). Nil for a nil model.
func (m *Model) Taxonomy() *taxonomy.Taxonomy {
	if m == nil {
		return nil
	}
	return m.tax
}
