package lexicon_test

import (
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/taxonomy"
)

const shippedPath = "../../models/default/lexicon.yaml"

// shipped loads the shipped lexicon.
func shipped(t testing.TB) *lexicon.Lexicon {
	t.Helper()
	data, err := os.ReadFile(shippedPath)
	if err != nil {
		t.Fatal(err)
	}
	l, err := lexicon.Load(data)
	if err != nil {
		t.Fatalf("%s: %v", shippedPath, err)
	}
	return l
}

// hit is a Hit with the matched text, for readable failures.
type hit struct {
	lexicon.Hit
	text string
}

func (h hit) String() string {
	s := fmt.Sprintf("%s %q=%q w=%.2f", h.Label, h.Term, h.text, h.Weight)
	if h.Negated {
		s += " negated"
	}
	if h.Figurative {
		s += " figurative"
	}
	if h.Repeat > 0 {
		s += fmt.Sprintf(" repeat=%d", h.Repeat)
	}
	return s
}

// match tokenizes text and returns its hits.
func match(l *lexicon.Lexicon, text string) []hit {
	toks := tokenize.Words(text, nil)
	var out []hit
	l.Match(text, toks, func(h lexicon.Hit) {
		out = append(out, hit{h, text[toks[h.TokStart].Start:toks[h.TokEnd-1].End()]})
	})
	return out
}

// labelsOf returns the labels of the hits that are neither negated nor
// figurative.
func labelsOf(hits []hit) []string {
	var out []string
	for _, h := range hits {
		if !h.Negated && !h.Figurative && !slices.Contains(out, h.Label) {
			out = append(out, h.Label)
		}
	}
	return out
}

func TestShippedLexiconCoversEveryLabel(t *testing.T) {
	l := shipped(t)
	var want []string
	for _, lb := range taxonomy.Default().Labels() {
		want = append(want, lb.ID)
	}
	if len(want) != 36 {
		t.Fatalf("taxonomy has %d labels, want 36", len(want))
	}
	want = append(want, lexicon.RatingSexual, lexicon.RatingViolence, lexicon.RatingLanguage)
	if got := l.Labels(); !slices.Equal(got, want) {
		t.Errorf("Labels() = %v\nwant %v", got, want)
	}
	var counts []int
	for _, label := range want {
		active := 0
		for _, term := range l.Terms(label) {
			if term.Weight > 0 {
				active++
			}
			if term.Weight < 0 || term.Weight > lexicon.MaxWeight {
				t.Errorf("%s: term %q weight %v out of range", label, term.Text, term.Weight)
			}
		}
		if active < lexicon.MinTerms {
			t.Errorf("%s has %d active terms, want ≥ %d", label, active, lexicon.MinTerms)
		}
		// A moderator must be able to tell the label from more than its
		// name: the terms are not all spellings of the label id.
		name := strings.ReplaceAll(label, "-", " ")
		others := 0
		for _, term := range l.Terms(label) {
			if !strings.Contains(strings.ReplaceAll(strings.ToLower(term.Text), "-", " "), name) {
				others++
			}
		}
		if others < lexicon.MinTerms {
			t.Errorf("%s: only %d terms are not its own name", label, others)
		}
		if !strings.HasPrefix(label, "rating:") {
			counts = append(counts, active)
		}
	}
	sort.Ints(counts)
	t.Logf("terms per label: min %d, median %d, max %d", counts[0], counts[len(counts)/2], counts[len(counts)-1])
}

// TestShippedLexiconSentences checks that a realistic sentence for each
// of the 36 labels, grouped as in the taxonomy, triggers its label.
func TestShippedLexiconSentences(t *testing.T) {
	l := shipped(t)
	tests := []struct {
		group, text string
		want        []string
	}{
		{"discrimination", "The boys at school called him a faggot, and his father sent him to conversion therapy.", []string{"homophobia"}},
		{"discrimination", "Her aunt kept misgendering her and used her deadname at dinner.", []string{"transphobia"}},
		{"discrimination", "Lady Catherine sneered that the girl was far beneath her station, nothing but white trash.", []string{"classism"}},
		{"discrimination", "He told her a woman's place was in the kitchen, the sexist pig.", []string{"sexism"}},
		{"discrimination", "The shopkeeper muttered a racial slur and shouted go back to your country.", []string{"racism"}},
		{"discrimination", "Someone had painted antisemitic graffiti on the synagogue, and the pogrom came a week later.", []string{"religious-discrimination"}},
		{"discrimination", "They called him a retard and laughed at the cripple in the corner.", []string{"ableism"}},
		{"discrimination", "Her mother called her a fat pig and told her to lose some weight.", []string{"body-shaming"}},
		{"discrimination", "It was bigotry, plain and simple, and the police treated it as a hate crime.", []string{"other-discrimination"}},
		{"aggression", "He slit her throat and she bled out on the floor.", []string{"violence", "blood-gore", "death"}},
		{"aggression", "They kidnapped the senator's daughter and held her for ransom.", []string{"kidnapping"}},
		{"aggression", "At the funeral her coffin was lowered into the ground.", []string{"death"}},
		{"aggression", "The bombing levelled the village, and the war dragged on for years.", []string{"collective-violence"}},
		{"aggression", "Her stalker left another death threat on her windshield.", []string{"other-aggression"}},
		{"abuse", "Years of domestic violence had taught her to walk on eggshells around him.", []string{"abuse"}},
		{"abuse", "He raped her while she was too drunk to consent.", []string{"sexual-abuse"}},
		{"abuse", "The report described years of child abuse: their father beat his kids with a belt.", []string{"child-abuse"}},
		{"abuse", "The neighbour's boy tortured cats and drowned the kittens in a bucket.", []string{"animal-abuse"}},
		{"abuse", "He called her a stupid bitch and told her to go fuck herself.", []string{"abusive-language"}},
		{"abuse", "He blackmailed her for months, then sold her family into slavery.", []string{"other-abuse"}},
		{"pregnancy", "She had a miscarriage early in the second trimester.", []string{"miscarriage"}},
		{"pregnancy", "She decided to terminate the pregnancy and booked the abortion for Monday.", []string{"abortion"}},
		{"pregnancy", "Her water broke at midnight and she went into labor.", []string{"childbirth"}},
		{"pregnancy", "The pregnancy test was positive, and the morning sickness started a week later.", []string{"other-pregnancy"}},
		{"medical", "Blood pooled under him, and the gash in his thigh showed exposed bone.", []string{"blood-gore"}},
		{"medical", "The surgeon made the first incision; the amputation took two hours.", []string{"procedures"}},
		{"medical", "The chemotherapy failed and the cancer spread to his lungs.", []string{"other-medical"}},
		{"mental-health", "The anorexia had her counting calories in her sleep.", []string{"dysmorphia"}},
		{"mental-health", "She cut herself again last night and hid the scars on her wrists.", []string{"self-harm"}},
		{"mental-health", "He wrote a suicide note and swallowed a bottle of pills.", []string{"suicide"}},
		{"mental-health", "The depression got worse after the panic attacks started.", []string{"mental-illness"}},
		{"mental-health", "He relapsed after six months sober and was shooting heroin again by winter.", []string{"addiction"}},
		{"mental-health", "The trauma never left him; the nightmares came every night.", []string{"other-mental-health"}},
		{"sexual-content", "She moaned as he thrust into her, and they reached orgasm together.", []string{"pornography", lexicon.RatingSexual}},
		{"sexual-content", "The twins' incestuous affair was the family's darkest secret.", []string{"incest"}},
		{"sexual-content", "They agreed on a safeword before the bondage scene.", []string{"other-sexual"}},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		hits := match(l, tt.text)
		got := labelsOf(hits)
		if lb, ok := taxonomy.Default().Label(tt.want[0]); !ok || lb.Group != tt.group {
			t.Errorf("%q: label %s is not in group %s", tt.text, tt.want[0], tt.group)
		}
		for _, want := range tt.want {
			covered[want] = true
			if !slices.Contains(got, want) {
				t.Errorf("%s: %q\n  no %s hit; hits: %v", tt.group, tt.text, want, hits)
			}
		}
	}
	for _, lb := range taxonomy.Default().Labels() {
		if !covered[lb.ID] {
			t.Errorf("no sentence for label %s", lb.ID)
		}
	}
}

func TestShippedLexiconQuietProse(t *testing.T) {
	l := shipped(t)
	// Everyday prose and idioms that once tripped naive keyword lists.
	for _, text := range []string{
		"I was dying to know what she thought of the new café.",
		"We were killing time at the mall before the movie.",
		"I'm dead tired, so I'm going to bed early.",
		"She wore killer heels and a drop dead gorgeous dress.",
		"The battery died halfway through the call, and the conversation died down.",
		"Bloody hell, that was bloody brilliant.",
		"His heart beat faster when she smiled; the realisation hit home.",
		"She shot him a look and cocked her head.",
		"He kicked off his shoes and whipped out his phone.",
		"Her pupils dilated and a pregnant pause followed.",
		"They binge-watched the whole series and felt sick of it.",
		"The blood rushed to her cheeks and her blood ran cold.",
		"Star Wars was on, and Dick Grayson laughed at the opening crawl.",
		"He was bored to death in the meeting but dressed to kill for the party.",
	} {
		for _, h := range match(l, text) {
			if h.Weight >= 1 && !strings.HasPrefix(h.Label, "rating:") {
				t.Errorf("%q: unexpected hit %v", text, h)
			}
		}
	}
}

func TestInflectedForms(t *testing.T) {
	l := shipped(t)
	tests := []struct {
		text, label, term string
	}{
		{"He stabbed the man.", "violence", "stab"},
		{"She kept stabbing.", "violence", "stab"},
		{"He stabs her.", "violence", "stab"},
		{"She bled for hours.", "blood-gore", "bleed"},
		{"He was beaten senseless.", "violence", "beat senseless"},
		{"He beat him senseless.", "violence", "beat * senseless"},
		{"He was beaten and left in a ditch.", "violence", "beat"},
		{"She had died in the night.", "death", "die"},
		{"He lay dying in the snow.", "death", "die"},
		{"The older boys bullied him.", "other-aggression", "bully"},
		{"She was raping nobody; he was.", "sexual-abuse", "rape"},
		{"They kidnapped her.", "kidnapping", "kidnap"},
		{"The kidnapper called.", "kidnapping", "kidnap"},
		{"He snapped his neck.", "violence", "snap * neck"},
		{"She snaps the guard's neck.", "violence", "snap * * neck"},
		{"He broke her nose.", "violence", "break * nose"},
		{"They took his own life from him; he took his own life.", "suicide", "take * own life"},
		{"She went into labour early.", "childbirth", "go into labour"},
		{"He was self-harming again.", "self-harm", "self-harm"},
		{"He was self harming again.", "self-harm", "self-harm"},
		{"Selfharm was his secret.", "self-harm", "self-harm"},
		{"They had been held captive.", "kidnapping", "hold captive"},
		{"He was gaslit for years.", "abuse", "gaslight"},
	}
	for _, tt := range tests {
		hits := match(l, tt.text)
		found := false
		for _, h := range hits {
			if h.Label == tt.label && h.Term == tt.term && !h.Figurative {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no %s hit of %q; hits: %v", tt.text, tt.label, tt.term, hits)
		}
	}
}

func TestScarIsNotScared(t *testing.T) {
	l := mustLoad(t, minimal("", "terms: [{term: scar, weight: 2}, {term: strip, weight: 2}, w3]"))
	for _, text := range []string{"She was scared.", "A striped shirt."} {
		if hits := match(l, text); len(hits) != 0 {
			t.Errorf("%q: hits %v, want none", text, hits)
		}
	}
	for _, text := range []string{"Scars.", "It scarred him.", "He stripped.", "Stripping."} {
		if hits := match(l, text); len(hits) != 1 {
			t.Errorf("%q: hits %v, want one", text, hits)
		}
	}
}

func TestExceptions(t *testing.T) {
	l := shipped(t)
	for _, text := range []string{
		"I was dying to know.",
		"Killing time at the mall.",
		"I'm dead tired.",
		"He was dying for a coffee.",
		"The engine died down.",
		"It's to die for.",
	} {
		for _, h := range match(l, text) {
			if h.Label == "death" || h.Label == "violence" {
				t.Errorf("%q: unexpected %v", text, h)
			}
		}
	}
	// The literal uses around the same words still count.
	for _, text := range []string{"She was dying.", "He was killing them one by one.", "He was dead."} {
		if got := labelsOf(match(l, text)); !slices.Contains(got, "death") {
			t.Errorf("%q: no death hit", text)
		}
	}
}

func TestNegation(t *testing.T) {
	l := shipped(t)
	negated := func(text, label string) (found, neg bool) {
		for _, h := range match(l, text) {
			if h.Label == label {
				return true, h.Negated
			}
		}
		return false, false
	}
	tests := []struct {
		text, label string
		negated     bool
	}{
		{"He did not kill her.", "violence", true},
		{"He never touched the knife, and he didn't kill her.", "death", true},
		{"He killed her.", "violence", false},
		{"He did not stop; he killed her.", "violence", false}, // the clause ended the scope
		{"He took her without her consent.", "sexual-abuse", false},
		{"There was no pulse.", "death", false},
		{"\"I didn't raise a faggot,\" his father said.", "homophobia", false}, // a slur stays a slur
	}
	for _, tt := range tests {
		found, neg := negated(tt.text, tt.label)
		if !found {
			t.Errorf("%q: no %s hit", tt.text, tt.label)
			continue
		}
		if neg != tt.negated {
			t.Errorf("%q: %s hit Negated = %v, want %v", tt.text, tt.label, neg, tt.negated)
		}
	}
}

func TestSimiles(t *testing.T) {
	l := shipped(t)
	find := func(text, label, term string) hit {
		t.Helper()
		for _, h := range match(l, text) {
			if h.Label == label && h.Term == term {
				return h
			}
		}
		t.Fatalf("%q: no %s hit of %q; hits: %v", text, label, term, match(l, text))
		return hit{}
	}
	fig := find("That particular violation had been akin to rape.", "sexual-abuse", "rape")
	lit := find("He raped her.", "sexual-abuse", "rape")
	if !fig.Figurative || lit.Figurative {
		t.Errorf("Figurative: akin to rape %v, literal %v", fig.Figurative, lit.Figurative)
	}
	// Worth a look, never strong evidence on its own.
	if fig.Weight <= 0 || fig.Weight >= lit.Weight {
		t.Errorf("akin to rape weighs %v, an ordinary hit %v: want 0 < figurative < ordinary", fig.Weight, lit.Weight)
	}
	if want := lit.Weight * l.SimileFactor(); fig.Weight != want {
		t.Errorf("akin to rape weighs %v, want %v × %v = %v", fig.Weight, lit.Weight, l.SimileFactor(), want)
	}
	for _, tt := range []struct {
		text, label, term string
		figurative        bool
	}{
		{"The kitchen looked like a war zone.", "collective-violence", "war zone", true},
		{"He looked as if he had been stabbed.", "violence", "stab", true},
		{"I'd like to kill him.", "violence", "kill", false},       // "to" is not a skip word
		{"It was like, stabbed twice.", "violence", "stab", false}, // the comma ends the clause
		{"She threw like a girl.", "sexism", "like a girl", false}, // the term starts with the cue
	} {
		if h := find(tt.text, tt.label, tt.term); h.Figurative != tt.figurative {
			t.Errorf("%q: Figurative = %v, want %v", tt.text, h.Figurative, tt.figurative)
		}
	}
}

// TestRepeats: with repeat_span, the n-th hit of one term within the span
// weighs 1/n of the term's weight; other terms, hits further apart and
// lexicons without the key are untouched.
func TestRepeats(t *testing.T) {
	violence := `terms: [{term: stab, weight: 2}, {term: self-harm, weight: 3}, {term: kill, weight: 1}]`
	spaced := func(gap int) string { // "stab", gap other words, "stab"
		return "He said stab " + strings.Repeat("and ", gap) + "stab again."
	}
	tests := []struct {
		name, top, text string
		want            []string // term:weight:repeat of each hit
	}{
		{"off without the key", "", "Stab, stab, stab.", []string{"stab:2.00:0", "stab:2.00:0", "stab:2.00:0"}},
		{"off at 0", "repeat_span: 0", "Stab, stab, stab.", []string{"stab:2.00:0", "stab:2.00:0", "stab:2.00:0"}},
		{"1/n", "repeat_span: 10", "Stab, stab, stabbed, stabbing.", []string{"stab:2.00:0", "stab:1.00:1", "stab:0.67:2", "stab:0.50:3"}},
		{"other terms count anew", "repeat_span: 10", "Stab, kill, stab, kill.", []string{"stab:2.00:0", "kill:1.00:0", "stab:1.00:1", "kill:0.50:1"}},
		{"forms of one term are one term", "repeat_span: 10", "Self-harm and selfharm.", []string{"self-harm:3.00:0", "self-harm:1.50:1"}},
		{"inside the span", "repeat_span: 10", spaced(8), []string{"stab:2.00:0", "stab:1.00:1"}},  // 9 tokens apart
		{"outside the span", "repeat_span: 10", spaced(9), []string{"stab:2.00:0", "stab:2.00:0"}}, // 10 tokens apart
		{"a negated hit is not said", "repeat_span: 10", "He did not stab. He stabbed.", []string{"stab:2.00:0", "stab:2.00:0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := mustLoad(t, minimal(tt.top, violence))
			var got []string
			for _, h := range match(l, tt.text) {
				if h.Label == "violence" {
					got = append(got, fmt.Sprintf("%s:%.2f:%d", h.Term, h.Weight, h.Repeat))
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%q: hits %v, want %v", tt.text, got, tt.want)
			}
		})
	}
	// An overlay sets the span; the merged lexicon keeps it.
	l := mustLoad(t, minimal("", violence))
	m, err := l.Merge([]byte("repeat_span: 5\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := match(m, "Stab, stab."); len(got) != 2 || got[1].Repeat != 1 {
		t.Errorf("after an overlay with repeat_span: hits %v, want the second a repeat", got)
	}
}

// TestShippedRepeats: the shipped lexicon counts a word said over and over
// once, roughly, so that a joke or a title is not a scene.
func TestShippedRepeats(t *testing.T) {
	l := shipped(t)
	text := "Pride and Prejudice, she said. Prejudice! Their prejudice, his prejudice, my prejudice."
	sum, n := 0.0, 0
	var first float64
	for _, h := range match(l, text) {
		if h.Term == "prejudice" {
			if n == 0 {
				first = h.Weight
			}
			sum += h.Weight
			n++
		}
	}
	if n != 5 {
		t.Fatalf("%d hits of prejudice, want 5", n)
	}
	// 1 + 1/2 + 1/3 + 1/4 + 1/5 of the term's weight.
	if want := first * (1 + 1.0/2 + 1.0/3 + 1.0/4 + 1.0/5); math.Abs(sum-want) > 1e-9 {
		t.Errorf("five hits weigh %v, want %v", sum, want)
	}
}

func TestMatchOrderAndLongestWins(t *testing.T) {
	l := mustLoad(t, minimal("", `terms: [{term: slit, weight: 1}, {term: "slit * throat", weight: 3}, {term: throat, weight: 1}, w3]`))
	hits := match(l, "Cut. He slit her throat and the slit widened.")
	var got []string
	for _, h := range hits {
		got = append(got, fmt.Sprintf("%s@%d-%d", h.Term, h.TokStart, h.TokEnd))
	}
	want := []string{"slit * throat@2-5", "slit@7-8"}
	if !slices.Equal(got, want) {
		t.Errorf("hits %v, want %v", got, want)
	}
	// A phrase never spans a sentence end.
	hits = match(l, "He slit. Her throat was fine.")
	got = got[:0]
	for _, h := range hits {
		got = append(got, h.Term)
	}
	if want := []string{"slit", "throat"}; !slices.Equal(got, want) {
		t.Errorf("across a sentence end: hits %v, want %v", got, want)
	}
}

func TestMatchAllocatesNothing(t *testing.T) {
	l := shipped(t)
	text := strings.Repeat("He slit her throat and she bled out on the floor; he did not kill the dog. It was akin to rape. ", 50)
	toks := tokenize.Words(text, nil)
	n := 0
	allocs := testing.AllocsPerRun(20, func() {
		l.Match(text, toks, func(lexicon.Hit) { n++ })
	})
	if n == 0 {
		t.Fatal("no hits")
	}
	if allocs != 0 {
		t.Errorf("Match allocates %v times per call, want 0", allocs)
	}
}

func TestMatchConcurrent(t *testing.T) {
	l := shipped(t)
	text := "He slit her throat and she bled out on the floor. The war went on."
	toks := tokenize.Words(text, nil)
	var want []lexicon.Hit
	l.Match(text, toks, func(h lexicon.Hit) { want = append(want, h) })
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				var got []lexicon.Hit
				l.Match(text, toks, func(h lexicon.Hit) { got = append(got, h) })
				if !slices.Equal(got, want) {
					errs <- fmt.Sprintf("got %v, want %v", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestTerms(t *testing.T) {
	l := shipped(t)
	var stab *lexicon.Term
	for _, term := range l.Terms("violence") {
		if term.Text == "stab" {
			stab = &term
		}
	}
	if stab == nil {
		t.Fatal("violence has no term stab")
	}
	for _, f := range []string{"stabs", "stabbed", "stabbing"} {
		if !slices.Contains(stab.Forms, f) {
			t.Errorf("stab forms %v lack %q", stab.Forms, f)
		}
	}
	if l.Terms("no-such-label") != nil {
		t.Error("Terms of an unknown label is not nil")
	}
	if ex := l.Exceptions("death"); !slices.Contains(ex, "dead tired") || !slices.Contains(ex, "dying to") {
		t.Errorf("Exceptions(death) = %v, want dead tired and the global dying to", ex)
	}
}

func TestZeroLexicon(t *testing.T) {
	var l lexicon.Lexicon
	text := "He stabbed her."
	l.Match(text, tokenize.Words(text, nil), func(h lexicon.Hit) { t.Errorf("zero Lexicon hit %+v", h) })
	if l.Labels() != nil || l.Terms("violence") != nil || l.Exceptions("violence") != nil {
		t.Error("zero Lexicon has labels, terms or exceptions")
	}
	m, err := l.Merge([]byte("labels:\n  violence:\n    terms: [stab]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := labelsOf(match(m, text)); !slices.Equal(got, []string{"violence"}) {
		t.Errorf("zero Lexicon merged with an overlay: labels %v, want [violence]", got)
	}
}

// TestScenes: a hit of a scene's labels (and terms) with two of its
// phrases within scene_span tokens, before or after it, is figurative,
// weighs simile_factor of its weight and names the scene; one phrase,
// other labels and terms, hits further away and lexicons without scenes
// are untouched. The compiled lexicon matches alike.
func TestScenes(t *testing.T) {
	violence := `terms: [{term: stab, weight: 2}, {term: kill, weight: 1}, {term: punch, weight: 1}, blood-soaked]`
	const play = "scene_span: 5\nscenes:\n  play: {labels: [violence], phrases: [chess, board game]}"
	const sport = "scene_span: 5\nscenes:\n  sport: {labels: [violence], terms: [kill], phrases: [referee, goalie]}"
	const both = "scene_span: 5\nscenes:\n  sport: {labels: [violence], terms: [kill], phrases: [referee, goalie]}\n  play: {labels: [violence], phrases: [chess, goalie]}"
	words := func(n int) string { return strings.Repeat("and ", n) }
	tests := []struct {
		name, top, text string
		want            []string // label:term:weight:scene of each hit
	}{
		{"off without the keys", "", "Chess, chess: he stabbed the air.", []string{"violence:stab:2.00:"}},
		{"off at span 0", "scene_span: 0\nscenes:\n  play: {labels: [violence], phrases: [chess]}", "Chess, chess: he stabbed the air.", []string{"violence:stab:2.00:"}},
		{"after two phrases", play, "Chess, chess: he stabbed the air.", []string{"violence:stab:0.60:play"}},
		{"one phrase is not a scene", play, "At chess he stabbed the air.", []string{"violence:stab:2.00:"}},
		{"before and after", play, "Chess: he stabbed at the board game.", []string{"violence:stab:0.60:play"}},
		{"within the span", play, "Chess chess " + words(3) + "stab.", []string{"violence:stab:0.60:play"}},
		{"one outside the span", play, "Chess chess " + words(4) + "stab.", []string{"violence:stab:2.00:"}},
		{"outside the span after", play, "Stab " + words(5) + "chess chess.", []string{"violence:stab:2.00:"}},
		{"each hit on its own", play, "Kill " + words(8) + "stab " + words(1) + "chess chess.", []string{"violence:kill:1.00:", "violence:stab:0.60:play"}},
		{"other labels untouched", play, "Chess, chess: he felt w1.", []string{"self-harm:w1:1.00:"}},
		{"a simile is discounted once", play, "Chess, chess, like a stab.", []string{"violence:stab:0.60:play"}},
		// The longest phrase at a token is one mention, not two.
		{"nested phrases are one", "scene_span: 5\nscenes:\n  play: {labels: [violence], phrases: [power play, play]}", "On the power play he stabbed the air.", []string{"violence:stab:2.00:"}},
		{"two mentions", "scene_span: 5\nscenes:\n  play: {labels: [violence], phrases: [power play, play]}", "Power play, play: he stabbed the air.", []string{"violence:stab:0.60:play"}},
		// A hyphenated word is one word: discounted like its closed form.
		{"a hyphenated word", "scene_span: 5\nscenes:\n  play: {labels: [violence], phrases: [chess]}", "Chess, chess: a blood-soaked pawn.", []string{"violence:blood-soaked:0.30:play"}},
		// A scene that lists terms discounts those alone.
		{"listed term", sport, "Referee, goalie: he killed them.", []string{"violence:kill:0.30:sport"}},
		{"unlisted term", sport, "Referee, goalie: he stabbed them.", []string{"violence:stab:2.00:"}},
		// Each scene counts its own phrases, and the first that claims a
		// hit names it.
		{"phrases of two scenes are not one scene", both, "Referee, chess: he stabbed them.", []string{"violence:stab:2.00:"}},
		{"the first scene names the hit", both, "Referee, goalie, chess: he killed them.", []string{"violence:kill:0.30:sport"}},
		{"a later scene takes what the first leaves", both, "Goalie, chess: he stabbed and killed them.", []string{"violence:stab:0.60:play", "violence:kill:0.30:play"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, lx := range loadBoth(t, minimal(tt.top, violence)) {
				var got []string
				for _, h := range match(lx, tt.text) {
					if h.Label == "violence" || h.Label == "self-harm" {
						if h.Figurative != (h.Scene != "") {
							t.Errorf("%q: %+v: figurative %v with scene %q", tt.text, h, h.Figurative, h.Scene)
						}
						got = append(got, fmt.Sprintf("%s:%s:%.2f:%s", h.Label, h.Term, h.Weight, h.Scene))
					}
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("%q: hits %v, want %v", tt.text, got, tt.want)
				}
			}
		})
	}
	// An overlay adds phrases and replaces the labels.
	l := mustLoad(t, minimal(play, violence))
	m, err := l.Merge([]byte("scenes:\n  play: {labels: [self-harm], phrases: [paintball]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		text, label string
		fig         bool
	}{
		{"Paintball, paintball: he felt w1.", "self-harm", true},
		{"Paintball, chess: he felt w1.", "self-harm", true},
		{"Paintball, paintball: he stabbed.", "violence", false},
	} {
		var got []hit
		for _, h := range match(m, tt.text) {
			if h.Label == tt.label {
				got = append(got, h)
			}
		}
		if len(got) != 1 || got[0].Figurative != tt.fig {
			t.Errorf("after the overlay, %q: %s hits %v, want one, figurative %v", tt.text, tt.label, got, tt.fig)
		}
	}
}

// TestSceneOverlays: an overlay removes a term a scene lists (the scene
// stops discounting it), turns one scene off with labels: [], and is told
// when a scene it writes would do nothing (a misspelt name makes a new,
// empty scene). Each merged lexicon survives Source and Load.
func TestSceneOverlays(t *testing.T) {
	base := shipped(t)
	const sport = "By half-time we were murdering them, and the referee gave a backhand wave at the goalie."
	const chess = "It was a chess massacre: he slaughtered my queen, and the chessboard was bare."
	scene := func(l *lexicon.Lexicon, text, label, term string) (string, bool) {
		for _, h := range match(l, text) {
			if h.Label == label && h.Term == term {
				return h.Scene, true
			}
		}
		return "", false
	}
	for _, tt := range []struct {
		name, overlay string
		text          string
		label, term   string
		found         bool
		scene         string
	}{
		{"a removed term is gone", "labels: {violence: {terms: [{term: backhand, remove: true}]}}", sport, "violence", "backhand", false, ""},
		{"the scene's other terms still count", "labels: {violence: {terms: [{term: backhand, remove: true}]}}", sport, "violence", "murder", true, "sport"},
		{"a scene turned off", "scenes: {sport: {labels: []}}", sport, "violence", "murder", true, ""},
		{"the other scene stays on", "scenes: {sport: {labels: []}}", chess, "violence", "slaughter", true, "play"},
		{"a phrase added", "scenes: {sport: {phrases: [netminder]}}", "The netminder laughed; we were murdering them, said the netminder.", "violence", "murder", true, "sport"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := base.Merge([]byte(tt.overlay))
			if err != nil {
				t.Fatal(err)
			}
			back, err := lexicon.Load(m.Source())
			if err != nil {
				t.Fatalf("Load(Source()): %v", err)
			}
			for _, l := range []*lexicon.Lexicon{m, back} {
				sc, found := scene(l, tt.text, tt.label, tt.term)
				if found != tt.found || sc != tt.scene {
					t.Errorf("%s %q: found %v in scene %q, want %v in %q", tt.label, tt.term, found, sc, tt.found, tt.scene)
				}
			}
		})
	}
	for _, tt := range []struct{ overlay, want string }{
		{"scenes: {sports: {phrases: [netminder]}}", `scene "sports" (line 1): did you mean "sport"? no labels, so it discounts nothing`},
		{"scenes: {duel: {labels: [violence]}}", `scene "duel" (line 1): no phrases, so it discounts nothing`},
		{"scenes: {sport: {terms: [kil]}}", `did you mean "kill"?`},
		{"play_span: 0", "scene_span: 0"},
	} {
		if _, err := base.Merge([]byte(tt.overlay)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("overlay %q: error %v, want one containing %q", tt.overlay, err, tt.want)
		}
	}
	// The keys before scenes are not suggested for a misspelt key.
	if _, err := base.Merge([]byte("plays: [chess]")); err == nil || strings.Contains(err.Error(), `"play"`) || strings.Contains(err.Error(), "play_span") {
		t.Errorf("overlay plays: error %v, want one that neither suggests nor lists the retired keys", err)
	}
}

// TestShippedScenes: the shipped lexicon reads a game told as a battle as
// play, a match told as a war as sport, and a real fight as a fight,
// wherever it happens.
func TestShippedScenes(t *testing.T) {
	l := shipped(t)
	for _, tt := range []struct {
		text, label string
		fig         bool
	}{
		{"It was a chess massacre: he slaughtered my queen and both rooks, and the chessboard was bare.", "violence", true},
		{"At the dress rehearsal Juliet stabbed herself with a foam dagger; by the second rehearsal she did it beautifully.", "violence", true},
		{"He stabbed her in the alley and ran.", "violence", false},
		{"After school they played chess. Later, in the alley, he stabbed her and ran.", "violence", false},
		// Words of everyday prose are not play phrases: a review hid a
		// beating behind "tabletop" and a stabbing behind "costume".
		{"He slammed her face onto the tabletop and stabbed her; blood ran across the tabletop.", "violence", false},
		{"Still in costume, he stabbed her in the hallway; her costume was soaked.", "violence", false},
		{"By half-time we were murdering them, and the referee had given up on the offside flag.", "violence", true},
		// Death's words keep their weight beside a referee: a player who
		// collapses on the pitch is told with them (a walkthrough).
		{"\"I'm dead,\" she groaned at the final whistle, and the referee laughed.", "death", false},
		{"Basketball practice ran late: after the free throw drill my legs were dead from suicides.", "suicide", true},
		{"Whisk the cream, then murder it: fold in the flour and preheat the oven.", "violence", true},
		// No scene for gigs: a crowd at a concert can be the scene of a
		// real attack, told with the same words.
		{"We murdered them at the gig; the encore nearly brought the roof down.", "violence", false},
		// A scene discounts words, not descriptions (a walkthrough's chess
		// murder and rehearsal suicide).
		{"They played chess all evening, the chess set between them, until she bled to death on the rug.", "death", false},
		{"At the rehearsal the understudy went home; after the second rehearsal he shot himself.", "suicide", false},
		// A kitchen keeps its blows: much domestic violence is told there.
		{"The oven timer went off. He beat her against the counter until the saucepan fell, and the recipe book was soaked.", "violence", false},
		// Sport discounts its hyperbole, not a blow or a death.
		{"After the final whistle he punched him in the face; the referee pulled them apart.", "violence", false},
		{"The striker collapsed on the pitch. The referee waved for the doctors, but he never woke up.", "death", false},
		// Games told in their own words: the boss, the spawn point, the
		// saving throw, the foam darts, the foil.
		{"The final boss killed us twice before we got back to the spawn point.", "violence", true},
		{"The owlbear clawed Dustin's paladin; he failed the saving throw and lost half his hit points.", "violence", true},
		{"Nerf gun in hand, she shot him twice with foam darts before he reached the nerf gun pile.", "violence", true},
		{"En garde, said Coach, and told her to stab him; in the fencing class nobody minded.", "violence", true},
		// Not a console's name, nor a pillow fight: a family's real
		// violence is told beside them.
		{"He was on the Xbox again when I got home; he punched me before I could put the Xbox away.", "violence", false},
		{"The pillow fight ended when Dad came in and punched him; nobody mentioned the pillow fight again.", "violence", false},
	} {
		var found, fig bool
		for _, h := range match(l, tt.text) {
			if h.Label == tt.label {
				found, fig = true, h.Figurative
			}
		}
		if !found || fig != tt.fig {
			t.Errorf("%q: %s hit found %v, figurative %v; want figurative %v (hits %v)", tt.text, tt.label, found, fig, tt.fig, match(l, tt.text))
		}
	}
}
