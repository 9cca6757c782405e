// Package config reads tagger's configuration file, .tagger.yaml: the
// settings a moderators' team keeps in one place (sensitivity, what fails a
// check, lexicon overlays, per-label thresholds, files to leave out, the
// model), found from a story's directory upward as .vale.ini or
// pyproject.toml are.
//
// A file looks like this; every key is optional:
//
//	sensitivity: high          # low, balanced or high
//	fail-on: undeclared        # undeclared, rating, any or none
//	model: models/ours         # a model directory
//	lexicon:                   # overlays applied in order (one path or a list)
//	  - allow.yaml
//	thresholds:                # per label, on the 0..1 score scale (1: never)
//	  violence: 0.7
//	include: ["*.story"]       # globs of files to read under directories
//	exclude: ["drafts/**"]     # globs of files to leave out
//
// Relative paths (model, lexicon) are relative to the directory of the
// file that names them, so a file means the same from wherever tagger runs.
// Globs are matched as datasets.Selector says, against the paths under the
// directories given as input.
package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"

	"github.com/tagger-dev/tagger/taxonomy"
)

// FileName is the name of the configuration file searched for from a
// story's directory upward.
const FileName = ".tagger.yaml"

// maxFileBytes bounds a configuration file: it is a few lines, and a
// mistaken path to a corpus must not be read whole.
const maxFileBytes = 1 << 20

// Keys are the keys a configuration file may hold, in the order documented.
var Keys = []string{"sensitivity", "fail-on", "model", "lexicon", "thresholds", "include", "exclude"}

// File is a parsed configuration file. Paths in it are made absolute, or
// relative to the working directory, by Load.
type File struct {
	// Path is the file read.
	Path        string
	Sensitivity string
	FailOn      string
	Model       string
	Lexicon     []string
	// Thresholds maps label ids to thresholds on the 0..1 score scale.
	Thresholds map[string]float64
	Include    []string
	Exclude    []string
}

// raw is the file as YAML holds it.
type raw struct {
	Sensitivity string             `yaml:"sensitivity"`
	FailOn      string             `yaml:"fail-on"`
	Model       string             `yaml:"model"`
	Lexicon     stringList         `yaml:"lexicon"`
	Thresholds  map[string]float64 `yaml:"thresholds"`
	Include     stringList         `yaml:"include"`
	Exclude     stringList         `yaml:"exclude"`
}

// stringList is a YAML string or list of strings.
type stringList []string

// UnmarshalYAML accepts one string as a list of one.
func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var s string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*l = stringList{s}
		return nil
	}
	var ss []string
	if err := n.Decode(&ss); err != nil {
		return fmt.Errorf("line %d: want a string or a list of strings", n.Line)
	}
	*l = ss
	return nil
}

// Load reads and checks the configuration file at path. An unknown key,
// a value out of range or an unknown label is an error naming the file
// and what is allowed.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("config %s: larger than %d KiB; is it the right file?", path, maxFileBytes>>10)
	}
	c, err := Parse(data, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// Parse parses a configuration file's contents. Relative paths in it are
// taken relative to dir.
func Parse(data []byte, dir string) (*File, error) {
	var r raw
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil && !errors.Is(err, io.EOF) {
		return nil, explainYAML(err)
	}
	c := &File{Sensitivity: r.Sensitivity, FailOn: r.FailOn, Thresholds: r.Thresholds,
		Include: r.Include, Exclude: r.Exclude}
	switch c.Sensitivity {
	case "", "low", "balanced", "high":
	default:
		return nil, fmt.Errorf("sensitivity %q: use low, balanced or high", c.Sensitivity)
	}
	switch c.FailOn {
	case "", "undeclared", "rating", "any", "none":
	default:
		return nil, fmt.Errorf("fail-on %q: use undeclared, rating, any or none", c.FailOn)
	}
	if r.Model != "" {
		c.Model = resolve(dir, r.Model)
	}
	for _, p := range r.Lexicon {
		if p == "" {
			return nil, errors.New("lexicon: an empty path")
		}
		c.Lexicon = append(c.Lexicon, resolve(dir, p))
	}
	for _, l := range []struct {
		key      string
		patterns []string
	}{{"include", c.Include}, {"exclude", c.Exclude}} {
		for _, p := range l.patterns {
			if p == "" || !doublestar.ValidatePattern(p) {
				return nil, fmt.Errorf("%s: %q is not a valid pattern: use *, ?, [abc], {a,b} and ** (any directories)", l.key, p)
			}
		}
	}
	tax := taxonomy.Default()
	for id, v := range c.Thresholds {
		if _, ok := tax.Label(id); !ok {
			hint := ""
			if near := tax.Suggest(id); near != "" {
				hint = fmt.Sprintf("did you mean %q? ", near)
			}
			return nil, fmt.Errorf("thresholds: %q is not a label: %s`tagger labels` lists them", id, hint)
		}
		if math.IsNaN(v) || v < 0 || v > 1 {
			return nil, fmt.Errorf("thresholds: %s: %v is not a score threshold: use a number from 0 to 1 (0.5 is the balanced default; 0 detects the label wherever a passage shows it, 1 never)", id, v)
		}
	}
	return c, nil
}

// explainYAML rewords the decoder's errors in the file's terms: an unknown
// key names the keys there are.
func explainYAML(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, len(te.Errors))
	for i, e := range te.Errors {
		if before, after, ok := strings.Cut(e, "field "); ok && strings.Contains(after, " not found in type") {
			key, _, _ := strings.Cut(after, " not found in type")
			hint := ""
			if k := likeKey(key); k != "" {
				hint = fmt.Sprintf("did you mean %q? ", k)
			}
			e = before + fmt.Sprintf("%q is not a setting (%suse %s)", key, hint, strings.Join(Keys, ", "))
		} else if strings.HasSuffix(e, "into config.raw") {
			e = strings.TrimSuffix(e, " into config.raw") + ": the file holds settings, one \"key: value\" per line"
		}
		msgs[i] = strings.Replace(e, "config.raw", "the settings", 1)
	}
	return errors.New(strings.Join(msgs, "; "))
}

// likeKey returns the setting that key is a slip of, or "": the same
// word but for case, a plural s, or a hyphen written as an underscore,
// a space or nothing ("lexicons", "fail_on", "Failon").
func likeKey(key string) string {
	norm := func(s string) string {
		s = strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(s))
		return strings.TrimSuffix(s, "s")
	}
	for _, k := range Keys {
		if norm(k) == norm(key) {
			return k
		}
	}
	return ""
}

// resolve makes p relative to dir unless it is absolute. "~/" is the
// user's home directory, as people write it in files.
func resolve(dir, p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// Find returns the configuration file that applies to a story in dir: the
// nearest FileName in dir or a directory above it, else the user's
// (UserFile), else "" when there is none.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	for d := abs; ; {
		p := filepath.Join(d, FileName)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
		up := filepath.Dir(d)
		if up == d {
			break
		}
		d = up
	}
	if p := UserFile(); p != "" {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", nil
}

// UserFile is the user's own configuration file, used when no FileName is
// found above a story: tagger/config.yaml in the user's configuration
// directory ($XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application
// Support on macOS, %AppData% on Windows); "" when there is none.
func UserFile() string {
	d, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "tagger", "config.yaml")
}

// SortedThresholds returns the labels of c's thresholds in taxonomy order,
// for printing.
func (c *File) SortedThresholds() []string { return sortedLabels(c.Thresholds) }

// sortedLabels returns the labels of thresholds in taxonomy order.
func sortedLabels(thresholds map[string]float64) []string {
	ids := make([]string, 0, len(thresholds))
	for id := range thresholds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	taxonomy.Default().SortLabels(ids)
	return ids
}

// Fingerprint names what, besides the model and the sensitivity, changes
// the rows a run writes, as outputs record it (pipeline.SinkOptions.Settings,
// the tagger.settings metadata) and a resumed run must match: the lexicon
// overlays merged, in order, by the SHA-256 of their contents (its first 6
// bytes in hex), and the per-label thresholds in taxonomy order, as
// "lexicon=H1,H2 thresholds=label:value,…"; "" when there are none.
func Fingerprint(overlays [][]byte, thresholds map[string]float64) string {
	var parts []string
	if len(overlays) > 0 {
		hashes := make([]string, len(overlays))
		for i, o := range overlays {
			sum := sha256.Sum256(o)
			hashes[i] = hex.EncodeToString(sum[:6])
		}
		parts = append(parts, "lexicon="+strings.Join(hashes, ","))
	}
	if len(thresholds) > 0 {
		var ts []string
		for _, id := range sortedLabels(thresholds) {
			ts = append(ts, id+":"+strconv.FormatFloat(thresholds[id], 'g', -1, 64))
		}
		parts = append(parts, "thresholds="+strings.Join(ts, ","))
	}
	return strings.Join(parts, " ")
}
