package summary

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// pageTemplate is the page: one HTML file with inline CSS and SVG, no
// script and no external resource, so that it opens offline and can be
// mailed as it is.
//
//go:embed page.html.tmpl
var pageTemplate string

// WriteHTML writes the page of s to w. Every text from the run (titles,
// sources, snippets, error messages, metadata) goes through html/template,
// which escapes it for where it appears.
func WriteHTML(w io.Writer, s *Summary) error {
	t, err := template.New("page").Funcs(template.FuncMap{
		"n":     formatNumber,
		"count": groupThousands,
		"score": formatScore,
		"pct":   percent,
		"join":  strings.Join,
		"lines": lineRange,
		"orDash": func(v string) string {
			if v == "" {
				return "—"
			}
			return v
		},
	}).Parse(pageTemplate)
	if err != nil {
		return fmt.Errorf("report page template: %w", err)
	}
	if err := t.Execute(w, newPage(s)); err != nil {
		return fmt.Errorf("write report page: %w", err)
	}
	return nil
}

// page is what the template shows: the summary and its charts, laid out.
type page struct {
	S          *Summary
	Overview   chart
	Prevalence chart
	Undeclared chart
	ByFandom   chart
	Matrix     chart
	// Under[i][j] tells whether the matrix cell is an under-declared
	// rating (predicted above declared).
	Under      [][]bool
	Histograms []histogram
	// UndeclaredLabels are the labels with an undeclared finding.
	UndeclaredLabels int
}

// histogram is one label's score histogram and its bins as text.
type histogram struct {
	Label Label
	Chart chart
	Bins  []bin
}

type bin struct {
	From, To float64
	N        int
}

// chart is an inline SVG drawing: its aria-label and <title> say what it
// shows; the page gives its numbers in a table or text beside it.
type chart struct {
	Label string
	W, H  float64
	Wide  bool // scrolls sideways on a phone rather than shrinking its text
	Rects []rect
	Lines []line
	Texts []text
}

type rect struct {
	X, Y, W, H float64
	Class      string
	Opacity    float64 // fill-opacity; 0 leaves the class's
	Title      string  // a tooltip
}

type line struct {
	X1, Y1, X2, Y2 float64
	Class          string
}

type text struct {
	X, Y   float64
	Anchor string // start, middle, end
	Class  string
	S      string
}

func newPage(s *Summary) *page {
	p := &page{S: s}
	p.Overview = overviewChart(s)
	var names []string
	var prevalence, undeclared [][]float64
	for _, l := range s.Labels {
		names = append(names, l.Label)
		prevalence = append(prevalence, []float64{float64(l.Detected), float64(l.Declared)})
		if l.Undeclared > 0 {
			p.UndeclaredLabels++
		}
	}
	p.Prevalence = barChart(fmt.Sprintf("Stories by label, detected and declared, among %s checked stories", groupThousands(s.Checked)),
		names, prevalence, []string{"s-det", "s-dec"})
	var undNames []string
	for _, l := range sortedByUndeclared(s.Labels) {
		if l.Undeclared > 0 {
			undNames = append(undNames, l.Label)
			undeclared = append(undeclared, []float64{float64(l.Undeclared)})
		}
	}
	p.Undeclared = barChart("Undeclared warnings by label: stories where the label was detected but not declared", undNames, undeclared, []string{"s-und"})
	var fandoms []string
	var byFandom [][]float64
	for _, f := range s.Fandoms {
		fandoms = append(fandoms, f.Fandom)
		byFandom = append(byFandom, []float64{float64(f.WithUndeclared)})
	}
	p.ByFandom = barChart("Stories with undeclared warnings by fandom", fandoms, byFandom, []string{"s-und"})
	p.Matrix, p.Under = matrixChart(s.Ratings)
	for _, l := range s.Labels {
		p.Histograms = append(p.Histograms, histogramOf(l))
	}
	return p
}

// sortedByUndeclared orders labels by undeclared count, most first.
func sortedByUndeclared(labels []Label) []Label {
	out := slices.Clone(labels)
	slices.SortStableFunc(out, func(x, y Label) int { return y.Undeclared - x.Undeclared })
	return out
}

// overviewChart is one bar split into the stories' outcomes.
func overviewChart(s *Summary) chart {
	const w, barH, top = 640.0, 28.0, 8.0
	c := chart{Label: fmt.Sprintf("Stories: %s in all; checked, nothing undeclared %s; undeclared warnings %s; not checked %s; errors %s",
		groupThousands(s.Stories), groupThousands(s.Checked-s.WithUndeclared), groupThousands(s.WithUndeclared),
		groupThousands(s.NotChecked), groupThousands(s.Errors)), W: w, H: top + barH + 34}
	parts := []struct {
		n           int
		class, name string
	}{
		{s.Checked - s.WithUndeclared, "s-ok", "checked, nothing undeclared"},
		{s.WithUndeclared, "s-und", "undeclared warnings"},
		{s.NotChecked, "s-nc", "not checked"},
		{s.Errors, "s-err", "errors"},
	}
	x := 0.0
	for _, part := range parts {
		if part.n == 0 || s.Stories == 0 {
			continue
		}
		pw := w * float64(part.n) / float64(s.Stories)
		c.Rects = append(c.Rects, rect{X: x, Y: top, W: pw, H: barH, Class: part.class, Title: fmt.Sprintf("%s: %s", part.name, groupThousands(part.n))})
		x += pw
	}
	lx := 0.0
	for _, part := range parts {
		c.Rects = append(c.Rects, rect{X: lx, Y: top + barH + 14, W: 10, H: 10, Class: part.class})
		label := fmt.Sprintf("%s %s", part.name, groupThousands(part.n))
		c.Texts = append(c.Texts, text{X: lx + 14, Y: top + barH + 23, Anchor: "start", Class: "small", S: label})
		lx += 14 + 6.2*float64(len([]rune(label))) + 16
	}
	c.W = max(w, lx)
	return c
}

// barChart draws horizontal bars, one group per name and one bar per
// series in it, with the value printed at each bar's end.
func barChart(label string, names []string, values [][]float64, classes []string) chart {
	const left, right, barH, gap, groupGap = 190.0, 56.0, 13.0, 2.0, 9.0
	const w = 640.0
	maxV := 0.0
	for _, vs := range values {
		for _, v := range vs {
			maxV = max(maxV, v)
		}
	}
	groupH := float64(len(classes))*(barH+gap) - gap
	c := chart{Label: label, W: w, Wide: true, H: math.Max(float64(len(names))*(groupH+groupGap)+groupGap, 30)}
	if len(names) == 0 {
		c.Texts = append(c.Texts, text{X: 8, Y: 20, Anchor: "start", S: "none"})
		return c
	}
	y := groupGap
	for i, name := range names {
		c.Texts = append(c.Texts, text{X: left - 8, Y: y + groupH/2 + 4, Anchor: "end", S: shorten(name, 28)})
		for j, v := range values[i] {
			bw := 0.0
			if maxV > 0 {
				bw = (w - left - right) * v / maxV
			}
			by := y + float64(j)*(barH+gap)
			c.Rects = append(c.Rects, rect{X: left, Y: by, W: math.Max(bw, 1), H: barH, Class: classes[j], Title: fmt.Sprintf("%s: %s", name, groupThousands(int(v)))})
			c.Texts = append(c.Texts, text{X: left + bw + 4, Y: by + barH - 3, Anchor: "start", Class: "small", S: groupThousands(int(v))})
		}
		y += groupH + groupGap
	}
	return c
}

// ratingOrder ranks the canonical ratings, to tell an under-declared cell.
func ratingOrder(r string) int {
	return slices.Index([]string{"general", "teen", "mature", "explicit"}, r)
}

// matrixChart draws the rating matrix as a heat map with each cell's count
// printed in it; cells where the prediction is above the declared rating
// are outlined.
func matrixChart(m RatingMatrix) (chart, [][]bool) {
	const left, top, cw, ch = 96.0, 40.0, 78.0, 34.0
	c := chart{Label: "Checked stories by declared rating (rows) and predicted rating (columns); outlined cells are predicted above what was declared",
		W: left + cw*float64(len(m.Predicted)) + 4, H: top + ch*float64(len(m.Declared)) + 4}
	maxN := 0
	for _, row := range m.Cells {
		for _, n := range row {
			maxN = max(maxN, n)
		}
	}
	c.Texts = append(c.Texts, text{X: left + cw*float64(len(m.Predicted))/2, Y: 12, Anchor: "middle", Class: "small", S: "predicted →"},
		text{X: left - 8, Y: top - 8, Anchor: "end", Class: "small", S: "declared ↓"})
	for j, p := range m.Predicted {
		c.Texts = append(c.Texts, text{X: left + cw*float64(j) + cw/2, Y: top - 8, Anchor: "middle", S: p})
	}
	under := make([][]bool, len(m.Declared))
	for i, d := range m.Declared {
		y := top + ch*float64(i)
		c.Texts = append(c.Texts, text{X: left - 8, Y: y + ch/2 + 4, Anchor: "end", S: d})
		under[i] = make([]bool, len(m.Predicted))
		for j, p := range m.Predicted {
			n := m.Cells[i][j]
			x := left + cw*float64(j)
			op := 0.0
			class := "cell0"
			if n > 0 {
				op = 0.12 + 0.88*float64(n)/float64(max(maxN, 1))
				class = "cell"
			}
			c.Rects = append(c.Rects, rect{X: x + 1, Y: y + 1, W: cw - 2, H: ch - 2, Class: class, Opacity: op,
				Title: fmt.Sprintf("declared %s, predicted %s: %s", d, p, groupThousands(n))})
			if dr, pr := ratingOrder(d), ratingOrder(p); dr >= 0 && pr > dr {
				under[i][j] = true
				c.Rects = append(c.Rects, rect{X: x + 2, Y: y + 2, W: cw - 4, H: ch - 4, Class: "under"})
			}
			tc := "num"
			if op > 0.55 {
				tc = "num inv"
			}
			c.Texts = append(c.Texts, text{X: x + cw/2, Y: y + ch/2 + 5, Anchor: "middle", Class: tc, S: groupThousands(n)})
		}
	}
	return c, under
}

// histogramOf draws a label's score histogram: bar heights on a log scale
// (most stories score near 0, which would flatten every other bin), bins at
// or above the threshold shaded as detections, the threshold marked.
func histogramOf(l Label) histogram {
	const w, h, left, bottom, top = 320.0, 132.0, 8.0, 22.0, 16.0
	total := 0
	maxN := 0
	for _, n := range l.Hist {
		total += n
		maxN = max(maxN, n)
	}
	thr := "none"
	if !math.IsNaN(l.ThresholdMin) {
		thr = formatScore(l.ThresholdMin)
		if l.ThresholdMax != l.ThresholdMin {
			thr += "–" + formatScore(l.ThresholdMax)
		}
	}
	hg := histogram{Label: l, Chart: chart{Label: fmt.Sprintf("%s: scores of %s checked stories in %d bins; threshold %s; bar heights on a log scale", l.Label, groupThousands(total), Bins, thr), W: w, H: h}}
	plotW, plotH := w-2*left, h-bottom-top
	bw := plotW / Bins
	for i, n := range l.Hist {
		from, to := float64(i)/Bins, float64(i+1)/Bins
		hg.Bins = append(hg.Bins, bin{From: from, To: to, N: n})
		if n == 0 {
			continue
		}
		bh := plotH * math.Log1p(float64(n)) / math.Log1p(float64(maxN))
		class := "s-low"
		if !math.IsNaN(l.ThresholdMin) && from >= l.ThresholdMin {
			class = "s-det"
		}
		hg.Chart.Rects = append(hg.Chart.Rects, rect{X: left + bw*float64(i) + 0.5, Y: top + plotH - bh, W: bw - 1, H: bh, Class: class,
			Title: fmt.Sprintf("%s–%s: %s", formatScore(from), formatScore(to), groupThousands(n))})
	}
	hg.Chart.Lines = append(hg.Chart.Lines, line{X1: left, Y1: top + plotH, X2: left + plotW, Y2: top + plotH, Class: "axis"})
	for _, t := range []float64{0, 0.5, 1} {
		hg.Chart.Texts = append(hg.Chart.Texts, text{X: left + plotW*t, Y: h - 6, Anchor: map[float64]string{0: "start", 0.5: "middle", 1: "end"}[t], Class: "small", S: formatScore(t)})
	}
	if !math.IsNaN(l.ThresholdMin) {
		for _, t := range slices.Compact([]float64{l.ThresholdMin, l.ThresholdMax}) {
			x := left + plotW*min(max(t, 0), 1)
			hg.Chart.Lines = append(hg.Chart.Lines, line{X1: x, Y1: top - 4, X2: x, Y2: top + plotH, Class: "thr"})
		}
		hg.Chart.Texts = append(hg.Chart.Texts, text{X: left + plotW*min(max(l.ThresholdMin, 0), 1), Y: 10, Anchor: "middle", Class: "small", S: "threshold " + thr})
	}
	return hg
}

// shorten cuts s to n runes, with an ellipsis: long fandom names would
// run into the bars (the table beside gives them whole).
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// formatNumber writes a coordinate: at most two decimals, no trailing
// zeros, so the page's bytes do not depend on float printing noise.
func formatNumber(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// formatScore writes a score with up to three decimals; "—" for NaN or
// ±Inf (no score).
func formatScore(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}

// groupThousands writes n with comma separators: 1,234,567.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// percent is n of total as a percentage with one decimal.
func percent(n, total int) string {
	if total == 0 {
		return "0%"
	}
	return strconv.FormatFloat(math.Round(1000*float64(n)/float64(total))/10, 'f', -1, 64) + "%"
}

// lineRange writes a passage's lines: "12" or "12–14".
func lineRange(from, to int32) string {
	if to <= from {
		return strconv.Itoa(int(from))
	}
	return fmt.Sprintf("%d–%d", from, to)
}
