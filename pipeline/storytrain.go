package pipeline

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/taxonomy"
)

// impliedTag matches warning phrases that only hint at a label
// ("Implied/Referenced Suicide", "Mentioned Character Death", "Past Abuse").
// Compiled on first use, not at the start-up of every command.
var impliedTag = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b(implied|implies|referenced|references?|mentioned|mentions?|past|hints? of|alluded)\b`)
})

// StoryCorpusStats counts what StoryExamples read: the stories, those
// skipped (unreadable, or not checked: another language, none, no words) and the
// examples made of the rest.
type StoryCorpusStats struct {
	Stories, Skipped, Examples int
	Bytes                      int64
	// Unreadable counts the skipped stories that could not be read, and
	// FirstErr is the first one's error (with its source).
	Unreadable int
	FirstErr   error
	// Skips are the first maxSkips stories skipped, with why.
	Skips []SkippedStory
}

// SkippedStory is a story of a corpus that teaches nothing: unreadable, or
// not checked (another language, no words).
type SkippedStory struct {
	Source, Reason string
}

// maxSkips is how many skipped stories StoryCorpusStats names.
const maxSkips = 10

func (st *StoryCorpusStats) skip(source, reason string) {
	st.Skipped++
	reason = strings.TrimPrefix(reason, source+": ") // readers' errors name it
	if len(st.Skips) < maxSkips {
		st.Skips = append(st.Skips, SkippedStory{Source: source, Reason: reason})
	}
}

// StoryExamples reads the stories of inputs one at a time (memory holds
// each work's hashed features, never its text), scores each with m's
// passage model and lexicon, and returns the examples a story model is
// trained on, with what their authors declared. Stories that cannot be
// read or that the model does not check (another language, none, no words)
// are skipped;
// progress, when set, is called after every story. sel, when set,
// chooses the files read under directories (datasets.Options.Select).
func StoryExamples(ctx context.Context, inputs []string, sel func(rel string) bool, m *classify.Model, cfg classify.StoryConfig, progress func(StoryCorpusStats)) ([]classify.StoryExample, StoryCorpusStats, error) {
	tx := taxonomy.Default()
	labels := m.Labels()
	idx := map[string]int{}
	for i, l := range labels {
		idx[l.ID] = i
	}
	var out []classify.StoryExample
	var st StoryCorpusStats
	for s := range datasets.Read(ctx, inputs, datasets.Options{Select: sel}) {
		st.Stories++
		if s.Err != nil || s.Text == "" && s.Words > 0 {
			if s.Err != nil {
				st.skip(s.Source, s.Err.Error())
				st.Unreadable++
				if st.FirstErr == nil {
					st.FirstErr = withSource(s.Source, s.Err)
				}
			} else {
				st.skip(s.Source, "no text")
			}
			continue
		}
		st.Bytes += int64(len(s.Text))
		r, v, err := m.PredictVector(ctx, s.Text, s.BodyByte, s.BodyLine, classify.PredictOptions{FastSnippets: true}, cfg)
		if err != nil {
			if ctx.Err() != nil {
				return nil, st, ctx.Err()
			}
			return nil, st, fmt.Errorf("story %s: %w", s.Source, err)
		}
		if r.NotChecked != "" {
			st.skip(s.Source, r.NotChecked)
			continue
		}
		e := m.NewStoryExample(s.ID, s.ID, r, v)
		fillDeclared(tx, &e, &s.Declared, idx)
		out = append(out, e)
		st.Examples++
		if progress != nil {
			progress(st)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// withSource names source in err unless its message does already.
func withSource(source string, err error) error {
	if strings.Contains(err.Error(), source) {
		return err
	}
	return fmt.Errorf("%s: %w", source, err)
}

// fillDeclared sets what a story's declarations say in e.
func fillDeclared(tx *taxonomy.Taxonomy, e *classify.StoryExample, d *datasets.Declared, idx map[string]int) {
	L := len(idx)
	e.Obs.Declared = make([]bool, L)
	e.Implied = make([]bool, L)
	for _, l := range d.DeclaredWarnings {
		if li, ok := idx[l]; ok {
			e.Obs.Declared[li] = true
		}
	}
	e.Obs.Clean = CleanDeclared(*d)
	e.HasWarnings = d.WarningStatus != "" && d.WarningStatus != taxonomy.StateMissing
	e.NoneApply = d.WarningStatus == taxonomy.StateNoneApply
	// A label is implied when every phrase that declares it hints.
	plain := make([]bool, L)
	hinted := make([]bool, L)
	for _, raw := range d.DeclaredWarningsRaw {
		p := tx.ClassifyWarning(raw)
		if p.State == taxonomy.StateNoneApply {
			e.NoneApply = true
		}
		for _, l := range p.Labels {
			li, ok := idx[l]
			if !ok {
				continue
			}
			if impliedTag().MatchString(raw) {
				hinted[li] = true
			} else {
				plain[li] = true
			}
		}
	}
	for li := range L {
		e.Implied[li] = e.Obs.Declared[li] && hinted[li] && !plain[li]
	}
	lv, _ := taxonomy.ParseLevel(d.DeclaredRating)
	for _, l := range lv.Declares() {
		if li, ok := idx[l]; ok {
			if e.ByRating == nil {
				e.ByRating = make([]bool, L)
			}
			e.ByRating[li] = true
		}
	}
}

// RatingObservations scores the stories of inputs with m and returns, for
// each work rated on AO3's scale, what classify.RatingConfig.FitRating
// needs. Stories that cannot be read or that m cannot read are left out.
func RatingObservations(ctx context.Context, inputs []string, sel func(rel string) bool, m *classify.Model) ([]classify.RatingObservation, error) {
	var out []classify.RatingObservation
	for s := range datasets.Read(ctx, inputs, datasets.Options{Select: sel}) {
		lv, ok := taxonomy.ParseLevel(s.DeclaredRating)
		if s.Err != nil || !ok || !lv.Ordered() {
			continue
		}
		r, err := PredictStory(ctx, m, s, classify.PredictOptions{FastSnippets: true})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("story %s: %w", s.Source, err)
		}
		if r.NotChecked != "" {
			continue
		}
		o := m.ObserveRating(r)
		o.Declared = lv
		out = append(out, o)
	}
	return out, ctx.Err()
}
