package classify

import (
	"fmt"
	"math"
	"slices"
)

// decision is the statistic a label is decided on.
type decision int

const (
	// byWindow: the label's best windows' raw score (see Model.decide).
	byWindow decision = iota
	// byStory: the story statistic (see AggregateStory).
	byStory
	// byStoryModel: the story model's log-odds (see StoryModel).
	byStoryModel
)

// decision returns the statistic label li is decided on.
func (m *Model) decision(li int) decision {
	switch {
	case m.story != nil && m.storyCol[li] >= 0:
		return byStoryModel
	case m.manifest.Config.Aggregate == AggregateStory:
		return byStory
	}
	return byWindow
}

// scoreAt maps the statistic x that label li is decided on to the Score
// scale, the way Predict scores the label.
func (m *Model) scoreAt(li int, x float64) float64 {
	switch m.decision(li) {
	case byStoryModel:
		return sigmoid(x - m.info[li].Story.Balanced)
	case byStory:
		return m.storyScore(li, x)
	}
	return m.score(li, x)
}

// statAt is the inverse of scoreAt: the statistic of label li whose Score
// is p (−Inf for 0, +Inf for 1).
func (m *Model) statAt(li int, p float64) float64 {
	lo := math.Log(p / (1 - p))
	info := m.info[li]
	switch m.decision(li) {
	case byStoryModel:
		return info.Story.Balanced + lo
	case byStory:
		return info.Story.Balanced + lo/m.storySlope()
	}
	if pl := info.Platt; m.nbCol[li] >= 0 && pl[0] != 0 {
		return (lo - pl[1]) / pl[0]
	}
	return info.Thresholds.Balanced + lo
}

// threshold returns label li's threshold on the statistic it is decided on
// (stat) and on the Score scale (score): the sensitivity's, or the
// override the caller set for the label (PredictOptions.Thresholds), which
// is then reported as it was given rather than through a round trip.
func (m *Model) threshold(li int, sens Sensitivity, over map[string]float64) (stat, score float64) {
	if p, ok := over[m.labels[li].ID]; ok {
		return m.statAt(li, p), p
	}
	if m.decision(li) == byWindow {
		stat = m.info[li].Thresholds.at(sens)
	} else {
		stat = m.info[li].Story.at(sens)
	}
	return stat, m.scoreAt(li, stat)
}

// checkThresholds rejects overrides off the Score scale. Ids outside the
// taxonomy are not checked: see PredictOptions.Thresholds.
func checkThresholds(over map[string]float64) error {
	ids := make([]string, 0, len(over))
	for id := range over {
		ids = append(ids, id)
	}
	slices.Sort(ids) // the same error every run
	for _, id := range ids {
		if p := over[id]; !(p >= 0 && p <= 1) {
			return fmt.Errorf("threshold %v for label %q: use a score between 0 and 1", p, id)
		}
	}
	return nil
}
