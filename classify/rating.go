package classify

import "github.com/tagger-dev/tagger/classify/taxonomy"

// Rating cues: the lexicon's "rating:" sections.
const (
	cueSexual = iota
	cueViolence
	cueLanguage
	numCues
)

// RatingCues are summed cue weights of one window.
type RatingCues [numCues]float64

// Sexual, Violence and Language name the cues.
func (c RatingCues) Sexual() float64   { return c[cueSexual] }
func (c RatingCues) Violence() float64 { return c[cueViolence] }
func (c RatingCues) Language() float64 { return c[cueLanguage] }

func (c RatingCues) max(o RatingCues) RatingCues {
	for i := range c {
		c[i] = max(c[i], o[i])
	}
	return c
}

func ratingCue(label string) (int, bool) {
	switch label {
	case "rating:sexual":
		return cueSexual, true
	case "rating:violence":
		return cueViolence, true
	case "rating:language":
		return cueLanguage, true
	}
	return 0, false
}

// RatingConfig holds the cue levels (summed weight in the strongest window)
// at which a text calls for each rating, AO3's scale: explicit sexual
// content is explicit; less graphic sex, graphic violence or pervasive
// strong language is mature; some violence or language is teen.
type RatingConfig struct {
	ExplicitSexual float64 `json:"explicit_sexual"`
	MatureSexual   float64 `json:"mature_sexual"`
	MatureViolence float64 `json:"mature_violence"`
	MatureLanguage float64 `json:"mature_language"`
	TeenSexual     float64 `json:"teen_sexual"`
	TeenViolence   float64 `json:"teen_violence"`
	TeenLanguage   float64 `json:"teen_language"`
}

// DefaultRatingConfig returns the default cue levels.
func DefaultRatingConfig() RatingConfig {
	return RatingConfig{
		ExplicitSexual: 4, MatureSexual: 2, MatureViolence: 8, MatureLanguage: 6,
		TeenSexual: 1, TeenViolence: 3, TeenLanguage: 2,
	}
}

// predict maps the strongest window's cues, and the detected labels, to a
// rating.
func (rc RatingConfig) predict(c RatingCues, detected []string) taxonomy.Level {
	has := func(id string) bool {
		for _, d := range detected {
			if d == id {
				return true
			}
		}
		return false
	}
	switch {
	case c.Sexual() >= rc.ExplicitSexual || has("pornography"):
		return taxonomy.Explicit
	case c.Sexual() >= rc.MatureSexual || c.Violence() >= rc.MatureViolence || c.Language() >= rc.MatureLanguage ||
		has("sexual-abuse") || has("blood-gore"):
		return taxonomy.Mature
	case c.Sexual() >= rc.TeenSexual || c.Violence() >= rc.TeenViolence || c.Language() >= rc.TeenLanguage ||
		has("violence") || has("death"):
		return taxonomy.Teen
	}
	return taxonomy.General
}
