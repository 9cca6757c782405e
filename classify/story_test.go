package classify

import (
	"context"
	"encoding/base64"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/abadojack/whatlanggo"

	"github.com/tagger-dev/tagger/classify/tokenize"
)

func TestDetectLanguage(t *testing.T) {
	for _, c := range []struct {
		name, text, want string
		readable         bool
	}{
		{"english", strings.Repeat("She walked to the window and looked out at the rain, and he said that it would stop by the evening. ", 5), "en", true},
		{"french", strings.Repeat("Il pleuvait sur le port quand Julien est sorti du bar. L'homme l'attendait au coin de la rue, un couteau à la main. ", 5), "fr", false},
		{"german", strings.Repeat("Es regnete im Hafen, als Julian die Kneipe verließ. Der Mann wartete an der Ecke der Straße mit einem Messer in der Hand. ", 5), "de", false},
		{"spanish", strings.Repeat("Llovía en el puerto cuando Julián salió del bar. El hombre lo esperaba en la esquina de la calle con un cuchillo en la mano. ", 5), "es", false},
		{"short", "Le chat dort.", "en", true}, // too short to judge: read
		{"a short story", "Il pleuvait sur le port quand Julien est sorti du bar. L'homme l'attendait au coin de la rue avec un couteau.", "fr", false},
		{"names", strings.Repeat("Harry Hermione Ron Draco Luna Neville Ginny Severus ", 6), "en", true},
	} {
		toks := tokenize.Words(c.text, nil)
		got, ok := detectLanguage(c.text, toks, nil)
		if got != c.want || ok != c.readable {
			t.Errorf("%s: %q, readable %v; want %q, %v", c.name, got, ok, c.want, c.readable)
		}
	}
}

func TestPredictNotChecked(t *testing.T) {
	tr, err := Train(context.Background(), toyData(), tinyLexicon(t), DefaultTrainConfig(), "toy", "1")
	if err != nil {
		t.Fatal(err)
	}
	fr := strings.Repeat("Il l'a poignardé deux fois dans le ventre. Le sang coulait sur les pavés, et elle s'était tailladé les veines dans la baignoire. ", 10)
	r, err := tr.Model.Predict(context.Background(), fr, 0, 1, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Language != "fr" || !strings.Contains(r.NotChecked, "French") || len(r.Detected) != 0 || len(r.Evidence) != 0 || r.PredictedRating != "" {
		t.Errorf("French story: language %q, not checked %q, detected %v, rating %q", r.Language, r.NotChecked, r.Detected, r.PredictedRating)
	}
	for _, l := range r.Labels {
		if l.Score != 0 || l.Detected {
			t.Errorf("%s: score %v detected %v in a story not checked", l.Label, l.Score, l.Detected)
		}
	}
	en, _ := tr.Model.Predict(context.Background(), "He punched him hard and kicked him, blood on the floor, a brutal fight.", 0, 1, PredictOptions{})
	if en.Language != "en" || en.NotChecked != "" {
		t.Errorf("English story: language %q, not checked %q", en.Language, en.NotChecked)
	}
}

// obs builds an observation where only label li has a statistic.
func obs(n, li int, s float64, evidence, clean, declared bool) StoryObservation {
	o := StoryObservation{Story: make([]float64, n), Evidence: make([]bool, n), Declared: make([]bool, n), Clean: clean}
	o.Story[li], o.Evidence[li], o.Declared[li] = s, evidence, declared
	return o
}

// TestCalibrateKeepsOnlyWhatItIsGiven: a label keep does not name (one with
// a trained story model, whose thresholds may be negative) keeps its
// calibrated thresholds; a zero kept threshold would have raised them.
func TestCalibrateKeepsOnlyWhatItIsGiven(t *testing.T) {
	var all []StoryObservation
	for i := range 120 {
		all = append(all, obs(1, 0, -3+float64(i)/1000, i < 2, true, false))
	}
	// Too few declaring works to step it down: the label stays inactive,
	// with two clean works to place it above (fewer than minPlacing).
	for i := range 5 {
		all = append(all, obs(1, 0, -0.5+float64(i)/100, true, false, true))
	}
	floors := []float64{-1}
	for _, keep := range []map[int]Thresholds{nil, {}} {
		th, err := calibrateThresholds(all, DefaultStoryTargets(), floors, keep)
		if err != nil {
			t.Fatal(err)
		}
		if got := th.labels[0].Balanced; got >= 0 {
			t.Errorf("keep %v: balanced threshold %v, want the floor -1, under 0", keep, got)
		}
	}
}

func TestCalibrateStories(t *testing.T) {
	tr, err := Train(context.Background(), toyData(), tinyLexicon(t), DefaultTrainConfig(), "toy", "1")
	if err != nil {
		t.Fatal(err)
	}
	m := tr.Model
	L := len(m.labels)
	v, d := m.labelIndex("violence"), m.labelIndex("death")
	var all []StoryObservation
	// 200 clean works: violence statistics 1.0..2.99 (all with evidence),
	// death none.
	for i := range 200 {
		all = append(all, obs(L, v, 1+float64(i)/100, true, true, false))
	}
	// 40 works declaring violence, statistics 2.0..3.95.
	for i := range 40 {
		all = append(all, obs(L, v, 2+float64(i)/20, true, false, true))
	}
	if _, err := m.CalibrateStories(all[:50], DefaultStoryTargets()); err == nil {
		t.Error("50 clean works: want an error")
	}
	cal, err := m.CalibrateStories(all, DefaultStoryTargets())
	if err != nil {
		t.Fatal(err)
	}
	c := cal.Manifest().StoryCalibration
	tg := DefaultStoryTargets()
	if c.Clean != 200 || c.Flagged.Low > tg.Low || c.Flagged.Balanced > tg.Balanced || c.Flagged.High > tg.High {
		t.Errorf("calibration %+v: flagged shares must stay within the targets %+v", c, tg)
	}
	if c.Flagged.Balanced < tg.Balanced-0.01 {
		t.Errorf("balanced flags %.3f of clean works; the budget %.2f should be spent on violence", c.Flagged.Balanced, tg.Balanced)
	}
	th := cal.info[v].Story
	if !(th.High <= th.Balanced && th.Balanced <= th.Low) {
		t.Errorf("violence thresholds %+v: want high ≤ balanced ≤ low", th)
	}
	// The balanced threshold lets through 8% of clean works: 16 of 200,
	// the clean statistics from 2.84 up.
	if math.Abs(th.Balanced-2.84) > 0.011 {
		t.Errorf("violence balanced threshold %.3f, want just above 2.83", th.Balanced)
	}
	// Death has no declaring works and no clean work shows it: it keeps
	// the model's own thresholds. It used to get the floor, the lowest
	// threshold calibration sets, and so became the most sensitive label
	// of a model calibrated on a small archive.
	if got, own := cal.info[d].Story, m.info[d].Story; got != own {
		t.Errorf("death thresholds %+v, want the model's own %+v", got, own)
	}
	if floor := defaultStoryThresholds(m.manifest.Config.LexiconThresholds).High; m.info[d].Story.Balanced <= floor {
		t.Fatalf("the toy model's death threshold %v is not above the floor %v: the test shows nothing", m.info[d].Story.Balanced, floor)
	}
	if cal.manifest.Config.Aggregate != AggregateStory {
		t.Errorf("aggregate %q after calibration", cal.manifest.Config.Aggregate)
	}
}

// TestCrossValidateCalibration: thresholds set on four fifths of evenly
// spread works flag about as many of the fifth left out, and recall what
// they recall; thresholds set at the edge of noisy scores over many labels
// flag more unseen works than the calibration works, which is what the
// cross-validation is for.
func TestCrossValidateCalibration(t *testing.T) {
	tr, err := Train(context.Background(), toyData(), tinyLexicon(t), DefaultTrainConfig(), "toy", "1")
	if err != nil {
		t.Fatal(err)
	}
	m := tr.Model
	L := len(m.labels)
	v := m.labelIndex("violence")
	tg := DefaultStoryTargets()
	var even []StoryObservation
	// 1,000 clean works with violence statistics 3.00..12.99, then 100
	// declaring works at 8.0..17.9.
	for i := range 1000 {
		even = append(even, obs(L, v, 3+float64(i)/100, true, true, false))
	}
	for i := range 100 {
		even = append(even, obs(L, v, 8+float64(i)/10, true, false, true))
	}
	cv, err := m.CrossValidateCalibration(even, tg, 5)
	if err != nil {
		t.Fatal(err)
	}
	// Spread evenly, the works left out are flagged as the works a
	// calibration is set on are.
	whole, err := m.CalibrateStories(even, tg)
	if err != nil {
		t.Fatal(err)
	}
	in := whole.Manifest().StoryCalibration.Flagged
	if cv.Folds != 5 || math.Abs(cv.Flagged.Balanced-in.Balanced) > 0.01 || cv.Flagged.Balanced > tg.Balanced {
		t.Errorf("evenly spread works: %+v, want 5 folds and, at balanced, within a point of the %.3f flagged in calibration and under the target", cv, in.Balanced)
	}
	if cv.Flagged.Low > cv.Flagged.Balanced || cv.Flagged.Balanced > cv.Flagged.High {
		t.Errorf("flagged shares %+v: want low ≤ balanced ≤ high", cv.Flagged)
	}
	// The balanced threshold sits near 12.2, over 57 of the 100
	// declaring works.
	if r := cv.Recall; r.Low > r.Balanced || r.Balanced > r.High || math.Abs(r.Balanced-0.57) > 0.03 {
		t.Errorf("recall %+v: want about 0.57 at balanced, low ≤ balanced ≤ high", r)
	}
	for _, k := range []int{0, 1, len(even) + 1} {
		if _, err := m.CrossValidateCalibration(even, tg, k); err == nil {
			t.Errorf("%d folds: want an error", k)
		}
	}

	// Ten labels whose statistics are the same noise for clean and
	// declaring works.
	rng := rand.New(rand.NewPCG(1, 2))
	var labels []int
	for li := range L {
		if len(labels) < 10 && m.nbCol[li] < 0 {
			labels = append(labels, li)
		}
	}
	var noisy []StoryObservation
	for i := range 1200 {
		o := obs(L, labels[0], 0, false, i < 1000, false)
		for k, li := range labels {
			o.Story[li], o.Evidence[li] = 3+rng.ExpFloat64(), true
			o.Declared[li] = i >= 1000 && (i-1000)%len(labels) == k
		}
		noisy = append(noisy, o)
	}
	cal, err := m.CalibrateStories(noisy, tg)
	if err != nil {
		t.Fatal(err)
	}
	cv, err = m.CrossValidateCalibration(noisy, tg, 5)
	if err != nil {
		t.Fatal(err)
	}
	if in := cal.Manifest().StoryCalibration.Flagged.Balanced; cv.Flagged.Balanced <= in {
		t.Errorf("noise over ten labels: held-out clean works flagged %.3f, calibration works %.3f; want more held out", cv.Flagged.Balanced, in)
	}
	t.Logf("noise: calibration works flagged %.3f, held out %.3f", cal.Manifest().StoryCalibration.Flagged.Balanced, cv.Flagged.Balanced)
	if got := cal.WithCalibrationCV(cv).Manifest().StoryCalibration.CV; got != cv {
		t.Errorf("WithCalibrationCV: manifest records %+v", got)
	}
}

func TestCharGrams(t *testing.T) {
	var got []uint64
	charGrams("kill", func(h uint64) { got = append(got, h) })
	// " kill " has four 3-grams, three 4-grams and two 5-grams.
	if len(got) != 9 || got[0] != tokenize.Hash(" ki") || got[8] != tokenize.Hash("kill ") {
		t.Errorf("charGrams(kill): %d grams", len(got))
	}
}

// With evidence in every chunk, the parallel scorer must add the chunks'
// evidence in the order the sequential one does: a story statistic that
// differs in its last bit can flip a decision at a calibrated threshold.
func TestPredictParallelStoryExact(t *testing.T) {
	tr, err := Train(context.Background(), toyData(), tinyLexicon(t), DefaultTrainConfig(), "toy", "1")
	if err != nil {
		t.Fatal(err)
	}
	para := "The morning passed slowly by the window of the house, and then he punched him hard and kicked him; blood on the floor, a brutal fight, a knife.\n"
	story := strings.Repeat(para, 3*chunkBytes/len(para))
	seq, err := tr.Model.Predict(context.Background(), story, 0, 1, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{2, 3} {
		par, err := tr.Model.PredictReaderParallel(context.Background(), strings.NewReader(story), 0, 1, PredictOptions{}, workers)
		if err != nil {
			t.Fatal(err)
		}
		for li := range seq.Labels {
			if par.Labels[li].Story != seq.Labels[li].Story || par.Labels[li].Score != seq.Labels[li].Score {
				t.Errorf("%d workers, %s: story %v, sequential %v", workers, seq.Labels[li].Label, par.Labels[li].Story, seq.Labels[li].Story)
			}
		}
	}
}

func TestDetectLanguageMixed(t *testing.T) {
	note := strings.Repeat("A note from the author: thank you for reading, and I hope that you like it as much as I did. ", 25)
	story := strings.Repeat("Il pleuvait sur le port quand Julien est sorti du bar. L'homme l'attendait au coin de la rue, un couteau à la main. ", 60)
	if got, ok := detectLanguage(note+story, tokenize.Words(note+story, nil), nil); got != "fr" || ok {
		t.Errorf("an English note before a French story: %q, readable %v; want fr, not readable", got, ok)
	}
	chat := strings.Repeat("lol ok. brb. omg stabbed lmao. srsly tho. k thx bye. ", 12)
	if got, ok := detectLanguage(chat, tokenize.Words(chat, nil), nil); !ok {
		t.Errorf("chat speak: %q, not readable; a weak guess must read as English", got)
	}
}

// A story with no words after its header (or only punctuation) is not
// checked: finding nothing in it is no verdict on the story. A single word
// is checked.
func TestPredictNoWords(t *testing.T) {
	m := loadTestModel(t)
	for _, c := range []struct {
		name, text string
		body       int
		checked    bool
	}{
		{"header only", "Title: x\nRating: Mature\n\n", 26, false},
		{"empty body", "", 0, false},
		{"punctuation", "Title: x\n\n... -- !! ***\n", 10, false},
		{"one word", "Title: x\n\nHello.\n", 10, true},
	} {
		r, err := m.Predict(context.Background(), c.text, c.body, 1, PredictOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if checked := r.NotChecked == ""; checked != c.checked {
			t.Errorf("%s: not checked %q, want checked %v", c.name, r.NotChecked, c.checked)
		}
		if !c.checked && (r.Language != "" || len(r.Detected) != 0 || r.PredictedRating != "" || !strings.Contains(r.NotChecked, "no words")) {
			t.Errorf("%s: language %q, detected %v, rating %q, note %q", c.name, r.Language, r.Detected, r.PredictedRating, r.NotChecked)
		}
	}
}

// Partials of which none is marked First (a caller's own chunking) have
// words but no language read: they are decided as English, as before a
// story with no words was not checked.
func TestFinishPartialsNoFirstChunk(t *testing.T) {
	m := loadTestModel(t)
	ctx := context.Background()
	p, err := m.ScoreChunk(ctx, Chunk{Text: "He punched him hard and kicked him, blood on the floor, a brutal fight.", Line: 1}, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.FinishPartials([]*Partial{p}, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.NotChecked != "" || r.Language != English {
		t.Errorf("not checked %q, language %q: want checked, English", r.NotChecked, r.Language)
	}
}

func TestLanguageCode(t *testing.T) {
	for in, want := range map[string]string{
		"English": "en", " english ": "en", "EN": "en", "fr": "fr", "French": "fr", "German": "de",
		"Mandarin": "zh", "Chinese": "zh", "Español": "", "": "", "xx": "", "Klingon": "", "Engli\u017fh": "en",
	} {
		got, ok := LanguageCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("LanguageCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got := LanguageName(""); got != "" {
		t.Errorf("LanguageName(\"\") = %q, want \"\"", got)
	}
}

// TestLanguageTable: every language whatlanggo names with an ISO 639-1
// code is read by its code and by its name, and named back, as looping
// over whatlanggo's languages read them; no two share a code or a name,
// so the table does not depend on the order its map is read in.
func TestLanguageTable(t *testing.T) {
	codes, names := map[string]bool{}, map[string]bool{}
	n := 0
	for l, name := range whatlanggo.Langs {
		code := l.Iso6391()
		if code == "" {
			continue
		}
		n++
		if codes[code] || names[strings.ToLower(name)] {
			t.Errorf("%v: code %q or name %q is another language's too", l, code, name)
		}
		codes[code], names[strings.ToLower(name)] = true, true
		for _, in := range []string{code, name, strings.ToUpper(name)} {
			if got, ok := LanguageCode(in); got != code || !ok {
				t.Errorf("LanguageCode(%q) = %q, %v; want %q", in, got, ok, code)
			}
		}
		if got := LanguageName(code); got != name {
			t.Errorf("LanguageName(%q) = %q, want %q", code, got, name)
		}
	}
	if n < 60 {
		t.Errorf("only %d languages with a code: whatlanggo changed?", n)
	}
}

// TestFindingsHavePassages: on the seeds and on texts a moderator found
// wrong, every label decided on the story that is detected has a best
// window at its evidence bar, the scene label's best window is a scene
// (two hits, or one that alone signals it), and an undetected label
// scores at most noPassageScore when it has no such window.
func TestFindingsHavePassages(t *testing.T) {
	m := loadTestModel(t)
	if m.scene < 0 {
		t.Fatalf("the default model has no lexicon label %s", sceneLabel)
	}
	texts := map[string]string{
		"biology, one word twice":              "The teacher pointed to the uterus and the vagina on the diagram. She said the vagina connects the uterus to the outside of the body. Then they talked about plants.",
		"a word in one window, two in another": "He saw the statue's penis and laughed. " + strings.Repeat("The rain ran down the windows of the old school while the class copied notes. ", 12) + "She was naked and she moaned.",
	}
	for _, p := range []string{"000_c1bd1572a1f429f3", "001_c744f7a2d5dbaef9", "002_cd7afd8d40a901e0", "003_ef651ee35373ebd4"} {
		b, err := os.ReadFile("../seeds/" + p + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		texts[p] = string(b)
	}
	for name, text := range texts {
		sg := m.newScoring(PredictOptions{}, 0)
		sc := m.free.get()
		lines := lineCounter{line: 1}
		for off := 0; off < len(text); {
			end := chunkEnd(text, off, chunkBytes)
			sg.chunk(sc, text[off:end], off, &lines)
			off = end
		}
		m.free.put(sc)
		states := append([]labelState(nil), sg.states...)
		res, err := sg.finish()
		if err != nil {
			t.Fatal(err)
		}
		for li, l := range res.Labels {
			if m.decision(li) != byStory {
				continue
			}
			if l.Detected && l.topZ < m.evidenceBar(li) {
				t.Errorf("%s: %s detected with its best window at %.2f, under the evidence bar %.2f", name, l.Label, l.topZ, m.evidenceBar(li))
			}
			if !l.Detected && l.topZ < m.evidenceBar(li) && l.Score > noPassageScore {
				t.Errorf("%s: %s scores %.2f with no passage to show", name, l.Label, l.Score)
			}
			if li == m.scene {
				for _, w := range states[li].top {
					var hits []float64
					p := m.analyse(w.text, nil, nil)
					for _, h := range p.hits {
						if h.Label == sceneLabel && !h.Negated && !h.Figurative && h.Repeat == 0 {
							hits = append(hits, h.Weight)
						}
					}
					if len(hits) < 2 && (len(hits) == 0 || hits[0] < soloWeight) {
						t.Errorf("%s: a %s window that is no scene is kept (hits %v): %.80q", name, sceneLabel, hits, w.text)
					}
				}
			}
		}
		if name == "biology, one word twice" && slices.Contains(res.Detected, sceneLabel) {
			t.Errorf("%s: %s detected", name, sceneLabel)
		}
	}
}

// TestExplainTermsAddUp: the terms an explanation lists for a lexicon
// label add up to its best window's raw score: also when a term was said
// just before the window (its repeat in the window weighs less in the
// score, and must in the explanation too), and when a phrase crosses the
// window's edge (it belongs to the window that holds its last token).
func TestExplainTermsAddUp(t *testing.T) {
	m := loadTestModel(t)
	words := func(n int) string { return strings.Repeat("garden ", n) }
	for _, c := range []struct {
		name, text string
		repeat     bool // the window's first term repeats one said before it
	}{
		// Tokens 0–44 words, 45 "suicide", 52 "suicide" (a repeat) and
		// "noose", then more terms from token 101: the best window is
		// tokens 50–149, which holds the repeat but not the first.
		{"a repeat of a term before the window", words(45) + "suicide " + words(6) + "suicide noose " + words(47) + "suicidal overdose suicide note " + words(60), true},
		{"a phrase across the window's start", words(49) + "take his own life " + words(47) + "suicidal overdose " + words(60), false},
		{"a phrase across the window's end", words(60) + "noose overdose " + words(36) + "suicide note " + words(60), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ex, err := m.Explain(context.Background(), c.text, 0, 1, "suicide", PredictOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if ex.Window == nil || len(ex.Window.Terms) == 0 {
				t.Fatalf("no window explained: %+v", ex)
			}
			sum := 0.0
			for _, tm := range ex.Window.Terms {
				if !tm.Negated {
					sum += tm.Weight
				}
			}
			if math.Abs(sum-ex.Window.Raw) > 1e-9 {
				t.Errorf("terms add up to %.2f, the window's raw score is %.2f: %+v", sum, ex.Window.Raw, ex.Window.Terms)
			}
			if c.repeat && ex.Window.Terms[0].Repeat != 1 {
				t.Errorf("the window's first term %+v: want the repeat of a term said before the window", ex.Window.Terms[0])
			}
		})
	}
}

// TestSnippetCutMarks: a snippet starts or ends with "…" exactly where
// its window cuts a sentence, whatever the case of the words.
func TestSnippetCutMarks(t *testing.T) {
	m := loadTestModel(t)
	words := func(n int) string { return strings.Repeat("and the garden was quiet ", n/5) }
	scene := "she cut herself again with the razor blade, slicing into her wrists until they bled, the self-harm she had hidden from everyone, cutting deeper than the old scars"
	for _, c := range []struct {
		name, text string
		start, end bool // want "…" there
	}{
		{"a story that starts in lower case", scene + ". " + words(300) + ".", false, false},
		{"lower-case prose after a full stop", words(120) + ". " + scene + ". " + words(120) + ".", false, false},
		{"one long sentence", words(150) + " " + scene + " " + words(150) + ".", true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := m.Predict(context.Background(), c.text, 0, 1, PredictOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var ev *Evidence
			for i := range r.Evidence {
				if r.Evidence[i].Label == "self-harm" {
					ev = &r.Evidence[i]
					break
				}
			}
			if ev == nil {
				t.Fatalf("no self-harm evidence: %+v", r.Evidence)
			}
			if got := strings.HasPrefix(ev.Snippet, "…"); got != c.start {
				t.Errorf("snippet %.60q…: starts with … %v, want %v", ev.Snippet, got, c.start)
			}
			if got := strings.HasSuffix(ev.Snippet, "…"); got != c.end {
				t.Errorf("snippet …%q: ends with … %v, want %v", ev.Snippet[max(0, len(ev.Snippet)-60):], got, c.end)
			}
		})
	}
}

// TestUnreadableText: text in no language (random letters, an encoded
// blob, a keyboard mash) is not checked, since finding nothing in it says
// nothing; chat speak, a list of names and English prose are read.
func TestUnreadableText(t *testing.T) {
	m, err := LoadDir("../models/default")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	letters := func(n int, alphabet string) string {
		var b strings.Builder
		for range n {
			w := 2 + rng.IntN(8)
			for range w {
				b.WriteByte(alphabet[rng.IntN(len(alphabet))])
			}
			b.WriteByte(' ')
		}
		return b.String()
	}
	blob := make([]byte, 6000)
	for i := range blob {
		blob[i] = byte(rng.Uint32())
	}
	for _, c := range []struct {
		name, text string
		checked    bool
	}{
		{"random letters", letters(2000, "abcdefghijklmnopqrstuvwxyz"), false},
		{"base64", base64.StdEncoding.EncodeToString(blob), false},
		{"keyboard mash", strings.Repeat("asdfjkl; qwerty zxcvb hjkl ghfjdks sdfgh ", 60), false},
		{"chat speak", strings.Repeat("lol ok. brb. omg stabbed lmao. srsly tho. k thx bye. ", 12), true},
		{"names", strings.Repeat("Harry Potter, Hermione Granger, Ron Weasley, Draco Malfoy, Severus Snape, Luna Lovegood, ", 8), true},
		{"prose", strings.Repeat("She walked to the window and looked out at the rain, and he said that it would stop by the evening. ", 5), true},
	} {
		r, err := m.Predict(context.Background(), c.text, 0, 1, PredictOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if checked := r.NotChecked == ""; checked != c.checked {
			t.Errorf("%s: checked %v (language %q, note %q), want %v", c.name, checked, r.Language, r.NotChecked, c.checked)
		}
		if !c.checked && (r.Language != Undetermined || !strings.Contains(r.NotChecked, "no language") || len(r.Detected) != 0) {
			t.Errorf("%s: language %q, note %q, detected %v; want %q, a note, nothing detected", c.name, r.Language, r.NotChecked, r.Detected, Undetermined)
		}
	}
}

// A story too short for the trigram identifier is still told from English
// by its function words: an 11-word French story is not checked.
func TestShortLanguage(t *testing.T) {
	for _, c := range []struct {
		text string
		want string
		ok   bool
	}{
		{"Elle a pris le couteau et s'est tranchée les poignets.", "fr", false},
		{"El hombre la mató con un cuchillo y se fue.", "es", false},
		{"Er hat sie mit dem Messer erstochen.", "de", false},
		{"Lui la guardò e non disse niente.", "it", false},
		{"Ele não voltou para casa com ela.", "pt", false},
		{"She shot him in the head and he died on the floor.", "en", true},
		{"Jean-Luc et Marie.", "en", true}, // one word: too little to tell
		{"Blood. So much blood, la la la.", "en", true},
		{"", "en", true},
	} {
		toks := tokenize.Words(c.text, nil)
		if got, ok := detectLanguage(c.text, toks, nil); got != c.want || ok != c.ok {
			t.Errorf("%q: %q, readable %v; want %q, %v", c.text, got, ok, c.want, c.ok)
		}
	}
}
