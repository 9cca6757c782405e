package classify

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/tagger-dev/tagger/taxonomy"
)

// Labelled is one annotated text: which labels it was judged for, and the
// judgement. A label absent from Known says nothing either way: a passage
// annotated for war with label 0 may still contain violence.
type Labelled struct {
	ID    string
	Group string // texts of one group (work) never straddle CV folds
	Text  string
	// Known maps each annotated label to whether the text shows it.
	Known map[string]bool
	// Weight scales the example in training; 0 means 1. Weak labels (a
	// story's declared warnings) weigh less than annotations.
	Weight float64
	// Soft holds, for annotated labels with several annotators, the share
	// who said the text shows the label (soft labels for training).
	Soft map[string]float64
}

// labelledLine accepts both forms of labelled JSONL:
//   - the passage form of passages-dev.jsonl: {"id","work_id","warning","label","text"}
//   - the general form: {"id","group","text","labels":[...],"known":[...]}, where
//     labels are the positive labels and known the labels judged (labels
//     included); with no "known", only the listed labels are known (positive).
type labelledLine struct {
	ID      json.RawMessage `json:"id"`
	WorkID  json.RawMessage `json:"work_id"`
	Group   string          `json:"group"`
	Text    *string         `json:"text"`
	Warning string          `json:"warning"`
	Label   *int            `json:"label"`
	Votes   []float64       `json:"votes"`
	Labels  []string        `json:"labels"`
	KnownL  []string        `json:"known"`
}

// ReadLabelled reads labelled JSONL from r; name is used in errors.
// Label names are normalised to taxonomy ids (war → collective-violence).
func ReadLabelled(r io.Reader, name string) ([]Labelled, error) {
	tx := taxonomy.Default()
	norm := func(s string, line int) (string, error) {
		if id, ok := tx.Normalize(s); ok {
			return id, nil
		}
		if id, ok := tx.PAN2023(s); ok {
			return id, nil
		}
		return "", fmt.Errorf("%s:%d: unknown label %q; see tagger labels", name, line, s)
	}
	var out []Labelled
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var l labelledLine
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		if l.Text == nil {
			return nil, fmt.Errorf("%s:%d: no \"text\" field", name, n)
		}
		ex := Labelled{ID: rawString(l.ID), Group: l.Group, Text: *l.Text, Known: map[string]bool{}}
		if ex.ID == "" {
			ex.ID = name + ":" + strconv.Itoa(n)
		}
		if g := rawString(l.WorkID); g != "" {
			ex.Group = g
		}
		if ex.Group == "" {
			ex.Group = ex.ID
		}
		switch {
		case l.Warning != "":
			if l.Label == nil {
				return nil, fmt.Errorf("%s:%d: \"warning\" without \"label\"", name, n)
			}
			id, err := norm(l.Warning, n)
			if err != nil {
				return nil, err
			}
			ex.Known[id] = *l.Label == 1
			if len(l.Votes) > 0 {
				sum := 0.0
				for _, v := range l.Votes {
					sum += v
				}
				ex.Soft = map[string]float64{id: sum / float64(len(l.Votes))}
			}
		default:
			for _, s := range l.KnownL {
				id, err := norm(s, n)
				if err != nil {
					return nil, err
				}
				ex.Known[id] = false
			}
			for _, s := range l.Labels {
				id, err := norm(s, n)
				if err != nil {
					return nil, err
				}
				ex.Known[id] = true
			}
			if len(ex.Known) == 0 {
				return nil, fmt.Errorf("%s:%d: no \"warning\"/\"label\" nor \"labels\"/\"known\": nothing to learn", name, n)
			}
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}

// LoadLabelled reads a labelled JSONL file.
func LoadLabelled(path string) ([]Labelled, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadLabelled(f, path)
}

func rawString(r json.RawMessage) string {
	if len(r) == 0 || string(r) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(r, &s) == nil {
		return s
	}
	return string(r) // a number, as written
}
