package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/config"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/report"
)

// Where a setting came from, besides a configuration file's path.
const (
	fromDefault = "default"
	fromFlag    = "flag"
)

// setting is one effective value and where it came from: fromDefault,
// fromFlag ("flag --sensitivity") or a configuration file's path.
type setting struct {
	Value string `json:"value"`
	From  string `json:"from"`
}

// threshold is one label's threshold and where it came from.
type threshold struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
	From  string  `json:"from"`
}

// settings are a command's effective settings: its flags over the
// configuration file over the defaults. Lists (lexicon overlays, include
// and exclude globs) add up: the file's first, then the flags'.
type settings struct {
	Config      string      `json:"config"` // the file read, "" for none
	Sensitivity setting     `json:"sensitivity"`
	FailOn      setting     `json:"fail_on"`
	Model       setting     `json:"model"` // "" is the embedded model
	Lexicon     []setting   `json:"lexicon"`
	Thresholds  []threshold `json:"thresholds"`
	Include     []setting   `json:"include"`
	Exclude     []setting   `json:"exclude"`

	// overlays are the lexicon overlays loadModel merged, in order.
	overlays [][]byte
}

// settingFlags are the flags that a configuration file can also set, and
// the flags that choose the file.
type settingFlags struct {
	config           string
	noConfig         bool
	sensitivity      string
	failOn           string
	model            string
	lexicon          []string
	include, exclude []string
}

// Which settings a command takes.
const (
	withFailOn = 1 << iota // check: what makes it exit 1
	withSelect             // commands that read stories: --include, --exclude
)

// add registers the flags on cmd.
func (sf *settingFlags) add(cmd *cobra.Command, which int) {
	f := cmd.Flags()
	f.StringVar(&sf.config, "config", "", "configuration `FILE` (default: the nearest "+config.FileName+" from the first input's directory upward, else "+displayUserFile()+")")
	f.BoolVar(&sf.noConfig, "no-config", false, "read no configuration file")
	f.StringVar(&sf.sensitivity, "sensitivity", "balanced", "detection threshold: low, balanced, high")
	f.StringVar(&sf.model, "model", "", "model directory `DIR` (default: the embedded model)")
	f.StringArrayVar(&sf.lexicon, "lexicon", nil, "lexicon overlay YAML `FILE`, repeatable: add terms, reweight them, or silence them with weight 0")
	if which&withFailOn != 0 {
		f.StringVar(&sf.failOn, "fail-on", "any", "exit 1 when a story has: undeclared, rating, any, none")
	}
	if which&withSelect != 0 {
		f.StringArrayVar(&sf.include, "include", nil, "read only files matching `GLOB` under directories, whatever their extension (repeatable)")
		f.StringArrayVar(&sf.exclude, "exclude", nil, "leave out files matching `GLOB` under directories (repeatable)")
	}
}

// displayUserFile is the user configuration file as help shows it.
func displayUserFile() string {
	if p := config.UserFile(); p != "" {
		if home, err := os.UserHomeDir(); err == nil {
			if rel, err := filepath.Rel(home, p); err == nil && filepath.IsLocal(rel) {
				return filepath.Join("~", rel)
			}
		}
		return p
	}
	return "the user's tagger/config.yaml"
}

// resolve returns the effective settings for a command reading inputs:
// the configuration file is found from the first input's directory (the
// working directory for standard input only), unless --config names one
// or --no-config asks for none.
func (sf *settingFlags) resolve(cmd *cobra.Command, inputs []string) (*settings, error) {
	path, err := sf.configPath(cmd, inputs)
	if err != nil {
		return nil, err
	}
	var file *config.File
	if path != "" {
		if file, err = config.Load(path); err != nil {
			return nil, &exitCodeError{code: exitError, msg: err.Error() + " (--no-config ignores it)"}
		}
	} else {
		file = &config.File{}
	}
	changed := cmd.Flags().Changed
	pick := func(flag, flagValue, fileValue string) setting {
		switch {
		case changed(flag):
			return setting{flagValue, fromFlag + " --" + flag}
		case fileValue != "":
			return setting{fileValue, path}
		}
		return setting{flagValue, fromDefault}
	}
	s := &settings{Config: path,
		Sensitivity: pick("sensitivity", sf.sensitivity, file.Sensitivity),
		Model:       pick("model", sf.model, file.Model),
		Lexicon:     []setting{}, Thresholds: []threshold{}, Include: []setting{}, Exclude: []setting{},
	}
	if cmd.Flags().Lookup("fail-on") != nil {
		s.FailOn = pick("fail-on", sf.failOn, file.FailOn)
	}
	list := func(fileValues, flagValues []string, flag string) []setting {
		out := []setting{}
		for _, v := range fileValues {
			out = append(out, setting{v, path})
		}
		for _, v := range flagValues {
			out = append(out, setting{v, fromFlag + " --" + flag})
		}
		return out
	}
	s.Lexicon = list(file.Lexicon, sf.lexicon, "lexicon")
	if cmd.Flags().Lookup("include") != nil {
		s.Include = list(file.Include, sf.include, "include")
		s.Exclude = list(file.Exclude, sf.exclude, "exclude")
	}
	for _, id := range file.SortedThresholds() {
		s.Thresholds = append(s.Thresholds, threshold{id, file.Thresholds[id], path})
	}
	// Values from flags are checked here; the file's were checked by Load.
	if _, err := classify.ParseSensitivity(s.Sensitivity.Value); err != nil {
		return nil, &exitCodeError{code: exitError, msg: "--" + err.Error()}
	}
	if s.FailOn.Value != "" {
		if _, err := report.ParseFailOn(s.FailOn.Value); err != nil {
			return nil, &exitCodeError{code: exitError, msg: err.Error()}
		}
	}
	return s, nil
}

// configPath is the configuration file that applies, or "".
func (sf *settingFlags) configPath(cmd *cobra.Command, inputs []string) (string, error) {
	switch {
	case sf.noConfig && sf.config != "":
		return "", &exitCodeError{code: exitError, msg: "--config and --no-config: give one of them"}
	case sf.noConfig:
		return "", nil
	case sf.config != "":
		if _, err := os.Stat(sf.config); err != nil {
			return "", &exitCodeError{code: exitError, msg: fmt.Sprintf("--config: %v", err)}
		}
		return sf.config, nil
	}
	dir := "."
	for _, in := range inputs {
		if in == "-" {
			continue
		}
		if fi, err := os.Stat(in); err == nil && fi.IsDir() {
			dir = in
		} else {
			dir = filepath.Dir(in)
		}
		break
	}
	p, err := config.Find(dir)
	if err != nil {
		return "", err
	}
	return p, nil
}

// noteConfig says on stderr which configuration file applies, when one
// does: a .tagger.yaml found in a parent directory changes results, and
// whoever runs tagger must be able to see that it did.
func noteConfig(a *app, s *settings) {
	if s.Config != "" {
		fmt.Fprintf(a.stderr, "tagger: settings from %s (tagger config shows them; --no-config ignores it)\n", report.Clean(s.Config))
	}
}

// describe says, for a report, what of the team's settings changes a
// story's verdict: the configuration file, per-label thresholds, lexicon
// overlays, a sensitivity other than the default and a model other than
// the embedded one (m, the model loaded: its name and hash), each with
// where it came from when that is not a flag. "" when nothing does.
func (s *settings) describe(m *classify.Model) string {
	return s.describeWith(m, true)
}

// describeServer is describe without the sensitivity, which each request
// to tagger serve may set (the server adds the one a check ran at).
func (s *settings) describeServer(m *classify.Model) string {
	return s.describeWith(m, false)
}

func (s *settings) describeWith(m *classify.Model, sensitivity bool) string {
	var parts []string
	if s.Config != "" {
		parts = append(parts, "from "+s.Config)
	}
	if sensitivity && s.Sensitivity.From != fromDefault && s.Sensitivity.Value != string(classify.Balanced) {
		parts = append(parts, "sensitivity "+s.Sensitivity.Value)
	}
	if len(s.Thresholds) > 0 {
		var ts []string
		for _, t := range s.Thresholds {
			ts = append(ts, fmt.Sprintf("%s %.2f", t.Label, t.Value))
		}
		parts = append(parts, "thresholds "+strings.Join(ts, ", "))
	}
	if len(s.Lexicon) > 0 {
		var ls []string
		for _, l := range s.Lexicon {
			ls = append(ls, l.Value)
		}
		parts = append(parts, "lexicon overlays "+strings.Join(ls, ", "))
	}
	if s.Model.Value != "" {
		// The path the user gave, and which model it held: names repeat
		// (every trained model is custom@0.1.0 unless named), hashes not.
		desc := "model " + s.Model.Value
		if m != nil {
			man := m.Manifest()
			desc += " (" + m.NameVersion()
			if h := man.Hash; len(h) >= 12 {
				desc += ", hash " + h[:12]
			}
			desc += ")"
		}
		parts = append(parts, desc)
	}
	if len(parts) == 0 || (len(parts) == 1 && s.Config != "") {
		return "" // a configuration file that changes nothing here
	}
	return strings.Join(parts, "; ")
}

// sensitivity is the effective sensitivity.
func (s *settings) sensitivity() classify.Sensitivity {
	v, _ := classify.ParseSensitivity(s.Sensitivity.Value) // checked by resolve
	return v
}

// failOn is the effective --fail-on.
func (s *settings) failOn() report.FailOn {
	v, _ := report.ParseFailOn(s.FailOn.Value) // checked by resolve
	return v
}

// thresholds are the per-label thresholds, as PredictOptions takes them;
// nil when none are set.
func (s *settings) thresholds() map[string]float64 {
	if len(s.Thresholds) == 0 {
		return nil
	}
	m := make(map[string]float64, len(s.Thresholds))
	for _, t := range s.Thresholds {
		m[t.Label] = t.Value
	}
	return m
}

// selector is the file selection of the include and exclude globs.
func (s *settings) selector() (*datasets.Selector, error) {
	var inc, exc []string
	for _, v := range s.Include {
		inc = append(inc, v.Value)
	}
	for _, v := range s.Exclude {
		exc = append(exc, v.Value)
	}
	sel, err := datasets.NewSelector(inc, exc)
	if err != nil {
		return nil, &exitCodeError{code: exitError, msg: "--include/--exclude: " + err.Error()}
	}
	return sel, nil
}

// loadModel loads the effective model with the lexicon overlays merged in,
// in order.
func (s *settings) loadModel() (*classify.Model, error) {
	m, err := loadModel(s.Model.Value)
	if err != nil {
		if s.Model.From != fromDefault && s.Model.From != fromFlag+" --model" {
			// Only an exitCodeError's message is printed: it names the
			// setting's source itself.
			var ec *exitCodeError
			if errors.As(err, &ec) {
				return nil, &exitCodeError{code: ec.code, msg: fmt.Sprintf("%s (the model setting is from %s)", ec.msg, s.Model.From)}
			}
			return nil, fmt.Errorf("model %s (from %s): %w", s.Model.Value, s.Model.From, err)
		}
		return nil, err
	}
	for _, l := range s.Lexicon {
		overlay, err := os.ReadFile(l.Value)
		if err != nil {
			return nil, &exitCodeError{code: exitError, msg: fmt.Sprintf("lexicon overlay (from %s): %v", l.From, err)}
		}
		s.overlays = append(s.overlays, overlay)
		if m, err = m.WithLexicon(overlay); err != nil {
			return nil, &exitCodeError{code: exitError, msg: fmt.Sprintf("lexicon overlay %s (from %s): %v", l.Value, l.From, err)}
		}
	}
	return m, nil
}

// fingerprint names what, besides the model and sensitivity, changes the
// rows a run writes: the overlays merged by loadModel (by content) and the
// per-label thresholds (config.Fingerprint). "" when there are none. A
// resumed run must match.
func (s *settings) fingerprint() string {
	return config.Fingerprint(s.overlays, s.thresholds())
}

// storyFiles selects the files in story formats under directories, for
// the commands without --include and --exclude (meta, train, calibrate,
// eval).
func storyFiles() *datasets.Selector {
	sel, err := datasets.NewSelector(nil, nil)
	if err != nil {
		panic(err) // no patterns to be invalid
	}
	return sel
}

// reportSkipped says on stderr how many files under directories were not
// read for not being in a story format, so that no story is left out
// unseen.
func reportSkipped(a *app, sel *datasets.Selector) {
	n, first := sel.Skipped()
	switch {
	case n == 1:
		fmt.Fprintf(a.stderr, "tagger: skipped 1 file that is not in a story format: %s (--include GLOB reads it)\n", report.Clean(first))
	case n > 1:
		fmt.Fprintf(a.stderr, "tagger: skipped %d files that are not in a story format, e.g. %s (--include GLOB reads them)\n", n, report.Clean(first))
	}
	switch n, first := sel.SkippedLinks(); {
	case n == 1:
		fmt.Fprintf(a.stderr, "tagger: skipped 1 link to a directory, not followed: %s (give its target as an input to read it; --exclude GLOB silences this)\n", report.Clean(first))
	case n > 1:
		fmt.Fprintf(a.stderr, "tagger: skipped %d links to directories, not followed, e.g. %s (give their targets as inputs to read them; --exclude GLOB silences this)\n", n, report.Clean(first))
	}
}
