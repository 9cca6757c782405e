package classify

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/tagger-dev/tagger/classify/tokenize"
)

// StoryFile is the file of a model directory that holds the story model
// (see StoryModel); a model without it decides every label on its passage
// statistic alone.
const StoryFile = "story.bin"

// StoryConfig shapes the story model trained from an archive's
// declarations (see TrainStory). It is recorded in the manifest.
type StoryConfig struct {
	// HashBits sets the number of hashed word-feature buckets, 2^HashBits.
	HashBits int `json:"hash_bits"`
	// Bigrams adds adjacent word pairs within a clause to the unigrams.
	Bigrams bool `json:"bigrams"`
	// IDF weighs each bucket by its inverse document frequency in the
	// training corpus.
	IDF bool `json:"idf"`
	// DenseScale multiplies the standardised dense features (lexicon
	// weight per label and the passage model's story statistics) against
	// the L2-normalised word features.
	DenseScale float64 `json:"dense_scale"`
	// L2, Iterations: the logistic regression's penalty and iterations.
	L2         float64 `json:"l2"`
	Iterations int     `json:"iterations"`
	// MinPositive is the fewest positive works a label needs for a story
	// model; labels with fewer keep the passage statistic.
	MinPositive int `json:"min_positive"`
	// ImpliedWeight weighs a positive that only an "Implied/Referenced",
	// "Mentioned" or "Past" tag declares.
	ImpliedWeight float64 `json:"implied_weight"`
	// FreeformNegatives chooses the negatives of labels that are not
	// archive warnings: "nawa" (works that declare that no archive
	// warnings apply and do not tag the label) or "untagged" (every work
	// with a warnings field that does not tag it).
	FreeformNegatives string `json:"freeform_negatives"`
	// Evidence is what a detection by the story model needs besides its
	// threshold: "bar" (a window at the label's evidence bar, as the
	// passage statistic needs) or "any" (any window with the label's
	// terms, so that the finding still has a passage to show).
	Evidence string `json:"evidence"`
	// Folds and Seed: the grouped folds whose out-of-fold scores set the
	// story thresholds.
	Folds int    `json:"folds"`
	Seed  uint64 `json:"seed"`
	// Progress, when set, is called before each of the Folds fits of the
	// cross-validation (step 1 to Folds) and before the final fit (step
	// Folds+1, when training), with steps = Folds+1 (Folds when only
	// cross-validating).
	Progress func(step, steps int) `json:"-"`
	// Targets are the shares of clean works flagged per sensitivity.
	Targets StoryTargets `json:"targets"`
}

// Bounds of StoryConfig.HashBits: training holds about 1.5 KB per bucket
// (2^18 buckets: some 400 MB; 2^24 took over 20 GB).
const (
	MinStoryHashBits = 8
	MaxStoryHashBits = 18
)

// Check reports the first setting of c out of its range, naming the
// setting by its JSON key, so that a bad value fails before a corpus is
// read rather than after, or is recorded in a manifest as given.
func (c StoryConfig) Check() error {
	switch {
	case c.HashBits < MinStoryHashBits || c.HashBits > MaxStoryHashBits:
		return fmt.Errorf("hash_bits %d is out of range: use %d to %d", c.HashBits, MinStoryHashBits, MaxStoryHashBits)
	case math.IsNaN(c.L2) || c.L2 < 0:
		return fmt.Errorf("l2 %v is out of range: use 0 or more", c.L2)
	case c.Iterations < 1:
		return fmt.Errorf("iterations %d is out of range: use 1 or more", c.Iterations)
	case c.MinPositive < 1:
		return fmt.Errorf("min_positive %d is out of range: use 1 or more", c.MinPositive)
	case math.IsNaN(c.DenseScale) || c.DenseScale < 0:
		return fmt.Errorf("dense_scale %v is out of range: use 0 or more", c.DenseScale)
	case math.IsNaN(c.ImpliedWeight) || c.ImpliedWeight < 0 || c.ImpliedWeight > 1:
		return fmt.Errorf("implied_weight %v is out of range: use 0 to 1", c.ImpliedWeight)
	case c.FreeformNegatives != "nawa" && c.FreeformNegatives != "untagged":
		return fmt.Errorf("freeform_negatives %q: use nawa or untagged", c.FreeformNegatives)
	case c.Evidence != "any" && c.Evidence != "bar":
		return fmt.Errorf("evidence %q: use any or bar", c.Evidence)
	}
	return nil
}

// DefaultStoryConfig is the configuration tagger train --corpus uses.
func DefaultStoryConfig() StoryConfig {
	return StoryConfig{HashBits: 13, Bigrams: true, IDF: false, DenseScale: 0.03, L2: 1e-4, Iterations: 40,
		MinPositive: 20, ImpliedWeight: 0.5, FreeformNegatives: "nawa", Evidence: "any",
		Folds: 5, Seed: 1, Targets: storyModelTargets}
}

// storyModelTargets are the story model's shares of clean works flagged.
// Its thresholds are set on out-of-fold scores of the corpus it was
// trained on, and overshoot on works it never saw: aiming at 8% at
// balanced, 5-fold CV on the ao3-works development half flagged 10.8% and
// 9.9% of clean works (fold seeds 1 and 2); aiming at 7%, 8.8%, 8.4% and
// 9.4% (seeds 1–3), with recall 0.310, 0.300 and 0.293.
var storyModelTargets = StoryTargets{Low: 0.04, Balanced: 0.07, High: 0.16}

// StoryModel is a per-label logistic regression over whole-story features:
// hashed word unigram and bigram counts, sublinear (1 + log tf) and
// L2-normalised, and dense features (each label's lexicon weight per
// thousand tokens, and the passage model's story statistics). It is
// immutable.
type StoryModel struct {
	bits   int
	bigram bool
	// labels are the model-label indices (into Model.labels) it scores.
	labels []int
	idf    []float32 // per bucket, nil without IDF
	// mean and scale standardise the dense features (scale includes
	// DenseScale).
	mean, scale []float32
	// The weights, one per label for each bucket and then each dense
	// feature, quantised: weight = stored × q[label]. The bucket rows are
	// packed four weights to a word, each biased by 1<<15 to a 16-bit
	// lane, rows padded to whole words with zero weights (see packedSum);
	// dense holds the dense features' rows as they are.
	packed   []uint64
	rowWords int // words of a row that hold weights
	rowShift int // log2 of the words between rows (see setWeights)
	dense    []int16
	q        []float32
	bias     []float64
}

// setWeights stores w (bucket rows, then dense rows, K weights a row).
// Adding 1<<15 to an int16 is flipping its top bit, and a padding lane
// is a zero weight: 1<<15.
//
// Rows start a power of two of words apart, so that a row of up to eight
// words (32 labels) lies in one cache line of the (page-aligned) matrix
// rather than straddling two half the time: a story's rows are mostly
// cache misses, and this is fewer of them for at most twice the memory.
func (sm *StoryModel) setWeights(w []int16) {
	K := len(sm.labels)
	R := (K + 3) / 4
	sm.rowWords = R
	sm.rowShift = bits.Len(uint(R - 1))
	sm.packed = make([]uint64, (1<<sm.bits)<<sm.rowShift)
	for b := range 1 << sm.bits {
		row := w[b*K : b*K+K]
		for j := range R {
			v := uint64(0x8000800080008000)
			for l, x := range row[4*j : min(4*j+4, K)] {
				v ^= uint64(uint16(x)) << (16 * l)
			}
			sm.packed[b<<sm.rowShift+j] = v
		}
	}
	sm.dense = slices.Clone(w[(1<<sm.bits)*K:])
}

// weights returns every weight as setWeights took them.
func (sm *StoryModel) weights() []int16 {
	K := len(sm.labels)
	w := make([]int16, 0, (1<<sm.bits)*K+len(sm.dense))
	for b := range 1 << sm.bits {
		for k := range K {
			w = append(w, int16(uint16(sm.packed[b<<sm.rowShift+k/4]>>(16*(k%4)))^0x8000))
		}
	}
	return append(w, sm.dense...)
}

// numDense is the number of dense features: per label, its lexicon weight
// and its passage story statistic.
func numDense(labels int) int { return 2 * labels }

// StoryVector is a story's features for the story model: the hashed
// word-feature buckets with their raw counts (sorted by bucket) and the
// dense features.
type StoryVector struct {
	Buckets []uint32
	Counts  []float32
	Dense   []float32
	// Bits and Bigrams are the hashing the vector was gathered with.
	Bits    int
	Bigrams bool
}

// storyAcc counts a story's hashed word features during the token pass.
// It has two forms: an array of counts by bucket, which tokens and merge
// add to, and a list of buckets with their counts (counts is nil), which
// is what a story of one chunk arrives as from its Partial and all that
// scoring needs.
type storyAcc struct {
	counts  []uint32
	touched []uint32 // the buckets with a count, in the order first counted
	cs      []uint32 // the counts of touched, when gathered (or a list)
	mask    uint64
	bits    int       // log2 of the number of buckets
	lex     []float64 // per label, non-negated lexicon weight
	pool    *accPool
	seen    []uint64 // a bit per bucket, for unique (left clear)
}

// listAcc is a storyAcc in list form over buckets and their counts.
func listAcc(bits int, buckets, counts []uint32, lex []float64) *storyAcc {
	return &storyAcc{bits: bits, touched: buckets, cs: counts, lex: lex}
}

// unique tells whether buckets, all within a's range, holds no bucket
// twice, with a bit per bucket (a few kilobytes that stay in cache).
func (a *storyAcc) unique(buckets []uint32) bool {
	if a.seen == nil {
		a.seen = make([]uint64, (len(a.counts)+63)/64)
	}
	seen := a.seen
	var dup uint64
	for _, b := range buckets {
		w, bit := seen[b/64], uint64(1)<<(b%64)
		dup |= w & bit
		seen[b/64] = w | bit
	}
	for _, b := range buckets {
		seen[b/64] = 0
	}
	return dup == 0
}

// lists returns the touched buckets, in the order first counted, and
// their counts.
func (a *storyAcc) lists() (buckets, counts []uint32) {
	if a.counts == nil {
		return a.touched, a.cs
	}
	cs := slices.Grow(a.cs[:0], len(a.touched))[:len(a.touched)]
	for i, b := range a.touched {
		cs[i] = a.counts[b]
	}
	a.cs = cs
	return a.touched, cs
}

// accPool keeps cleared accumulators for reuse. Unlike a sync.Pool it is
// not emptied by the garbage collector: an accumulator holds a megabyte
// of counts, and allocating one per story would dominate batch runs. It
// is a stack, not a queue: the accumulator released last is the one
// whose counts are still in cache, and counting is a random access per
// word.
type accPool struct {
	mu   sync.Mutex
	free []*storyAcc
}

// maxFreeAccs bounds the accumulators a pool keeps.
const maxFreeAccs = 64

func newAccPool() *accPool { return &accPool{} }

func (p *accPool) get(bits, labels int) *storyAcc {
	if p != nil {
		p.mu.Lock()
		var a *storyAcc
		if n := len(p.free); n > 0 {
			a, p.free = p.free[n-1], p.free[:n-1]
		}
		p.mu.Unlock()
		if a != nil && len(a.counts) == 1<<bits && len(a.lex) == labels {
			return a
		}
	}
	return &storyAcc{counts: make([]uint32, 1<<bits), mask: 1<<bits - 1, bits: bits, lex: make([]float64, labels), pool: p}
}

// put keeps a (cleared) for reuse, unless the pool is full.
func (p *accPool) put(a *storyAcc) {
	p.mu.Lock()
	if len(p.free) < maxFreeAccs {
		p.free = append(p.free, a)
	}
	p.mu.Unlock()
}

// release clears a and returns it to its pool.
func (a *storyAcc) release() {
	if a.counts == nil {
		return // a list: nothing to clear or keep
	}
	for _, b := range a.touched {
		a.counts[b] = 0
	}
	a.touched = a.touched[:0]
	clear(a.lex)
	if a.pool != nil {
		a.pool.put(a)
	}
}

func (a *storyAcc) add(h uint64, n uint32) {
	b := uint32(h & a.mask)
	if a.counts[b] == 0 {
		a.touched = append(a.touched, b)
	}
	a.counts[b] += n
}

// tokens counts the word features of toks. It runs on every token of a
// batch run with a story model, and a bucket's first count (is it new?)
// is a coin toss that a branch would mispredict half the time: so every
// bucket is written to touched and kept there only when new, and a
// bigram across a clause end is counted zero times rather than skipped.
func (a *storyAcc) tokens(toks []tokenize.Token, bigrams bool) {
	prev := uint64(0)
	inc := uint32(0) // 1 when a bigram may end at the current token
	// In blocks, so that touched has room for every feature of a block
	// but not much more than the story's buckets.
	for len(toks) > 0 {
		block := toks[:min(len(toks), 4096)]
		toks = toks[len(block):]
		prev, inc = a.countBlock(block, bigrams, prev, inc)
	}
}

// countBlock counts the features of toks, prev being the hash of the
// token before them and inc 1 if a bigram may end at toks[0]; it returns
// both for the next block.
func (a *storyAcc) countBlock(toks []tokenize.Token, bigrams bool, prev uint64, inc uint32) (uint64, uint32) {
	n := len(a.touched)
	touched := slices.Grow(a.touched, 2*len(toks))[:n+2*len(toks)]
	counts, mask := a.counts, a.mask
	for _, t := range toks {
		b := uint32(t.Hash & mask)
		// b is within counts already; the mask only spares the bounds check.
		c := counts[b&uint32(len(counts)-1)]
		touched[n] = b
		n += isZero(c)
		counts[b&uint32(len(counts)-1)] = c + 1
		if bigrams {
			b = uint32(tokenize.HashPair(prev, t.Hash) & mask)
			c = counts[b&uint32(len(counts)-1)]
			touched[n] = b
			n += isZero(c) & int(inc)
			counts[b&uint32(len(counts)-1)] = c + inc
			prev = t.Hash
			inc = 1 - uint32(t.Flags&tokenize.FlagClauseEnd)/uint32(tokenize.FlagClauseEnd)
		}
	}
	a.touched = touched[:n]
	return prev, inc
}

// isZero is 1 if c is 0, else 0, without a branch.
func isZero(c uint32) int {
	return int((uint64(c) - 1) >> 63)
}

// merge adds o's counts to a and releases o.
func (a *storyAcc) merge(o *storyAcc) {
	ob, oc := o.lists()
	for i, b := range ob {
		if a.counts[b] == 0 {
			a.touched = append(a.touched, b)
		}
		a.counts[b] += oc[i]
	}
	for i, x := range o.lex {
		a.lex[i] += x
	}
	o.release()
}

// denseFeatures are the story's dense features: per label, log(1 + its
// lexicon weight per thousand tokens), then per label its passage story
// statistic.
func denseFeatures(lex []float64, story []float64, tokens int) []float32 {
	out := make([]float32, 0, len(lex)+len(story))
	k := 1000 / float64(tokens+storyLength)
	for _, x := range lex {
		out = append(out, float32(math.Log1p(x*k)))
	}
	for _, x := range story {
		out = append(out, float32(x))
	}
	return out
}

// vector returns the acc's counts as a StoryVector (buckets sorted).
func (a *storyAcc) vector(dense []float32) StoryVector {
	buckets, counts := a.lists()
	v := StoryVector{Bits: a.bits, Buckets: make([]uint32, 0, len(buckets)), Counts: make([]float32, 0, len(buckets)), Dense: dense}
	order := make([]int, len(buckets))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return cmp.Compare(buckets[i], buckets[j]) })
	for _, i := range order {
		v.Buckets = append(v.Buckets, buckets[i])
		v.Counts = append(v.Counts, float32(counts[i]))
	}
	return v
}

// wordValues turns raw counts into the model's word-feature values:
// (1 + log tf) × idf, L2-normalised.
func wordValues(counts []float32, buckets []uint32, idf []float32, dst []float32) []float32 {
	dst = dst[:0]
	norm := 0.0
	for i, c := range counts {
		x := 1 + math.Log(float64(c))
		if idf != nil {
			x *= float64(idf[buckets[i]])
		}
		dst = append(dst, float32(x))
		norm += x * x
	}
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for i := range dst {
			dst[i] *= inv
		}
	}
	return dst
}

// scoreAcc returns the story model's log-odds per story label for the
// counts in a (touched buckets in any order) and the dense features.
//
// It is most of a story model's cost in batch runs, a few thousand
// buckets a story times the labels. Without IDF a bucket's value before
// normalisation depends on its count alone (1 + log count), so the rows
// of buckets with a small count are summed as integers per count, four
// labels to an add (packedSum), and each sum is scaled once.
func (sm *StoryModel) scoreAcc(a *storyAcc, dense []float32) []float64 {
	K := len(sm.labels)
	z := make([]float64, K)
	copy(z, sm.bias)
	var acc [64]float64
	var sums [smallCounts]packedSum
	var n [smallCounts]int
	norm := 0.0
	buckets, cs := a.lists()
	// The weight matrix is larger than a core's cache, so most rows a
	// story touches are a miss: loading each row's ends first, in a loop
	// of loads alone, keeps many misses in flight at once, and the loop
	// below then finds its rows in cache.
	R, sh := sm.rowWords, sm.rowShift
	packed := sm.packed
	var pull uint64
	for _, b := range buckets {
		row := packed[int(b)<<sh : int(b)<<sh+R : int(b)<<sh+R]
		pull |= row[0] | row[len(row)-1]
	}
	acc[63] += float64(pull&1) * 0 // keeps the loads
	// Lanes hold up to 2^16 rows (see packedSum).
	small := sm.idf == nil && len(buckets) <= 1<<16
	for i, b := range buckets {
		c := cs[i]
		if small && c < smallCounts {
			n[c]++
			sums[c].add(packed[int(b)<<sh : int(b)<<sh+R : int(b)<<sh+R])
			continue
		}
		x := 1.0
		if c < uint32(len(logTable)) {
			x += logTable[c]
		} else {
			x += math.Log(float64(c))
		}
		if sm.idf != nil {
			x *= float64(sm.idf[b])
		}
		norm += x * x
		// The packed row, pulled into cache above.
		row := packed[int(b)<<sh : int(b)<<sh+R : int(b)<<sh+R]
		for k := range K {
			acc[k&63] += x * float64(int64(row[k/4]>>(16*(k%4))&0xffff)-1<<15)
		}
	}
	for c := range smallCounts {
		if n[c] == 0 {
			continue
		}
		x := 1 + logTable[c]
		norm += float64(n[c]) * x * x
		sums[c].madd(&acc, x, K, n[c])
	}
	if norm > 0 {
		inv := 1 / math.Sqrt(norm)
		for k := range K {
			acc[k] *= inv
		}
	}
	// Dense features are standardised, not length-normalised.
	for j, x := range dense {
		v := float64((x - sm.mean[j]) * sm.scale[j])
		madd(&acc, v, sm.dense[j*K:j*K+K])
	}
	for k := range z {
		z[k] += acc[k] * float64(sm.q[k])
	}
	return z
}

// packedSum sums packed rows: lo holds lanes 0 and 2 of each word, hi
// lanes 1 and 3, each in 32 bits, so one add sums two biased weights. A
// lane gains at most 2^16−1 a row, so 2^16 rows cannot overflow it.
type packedSum struct {
	lo, hi [16]uint64
}

const laneMask = 0x0000ffff0000ffff

func (s *packedSum) add(row []uint64) {
	for j, v := range row {
		s.lo[j&15] += v & laneMask
		s.hi[j&15] += (v >> 16) & laneMask
	}
}

// madd adds x × (the sum of n rows) to acc, for K labels.
func (s *packedSum) madd(acc *[64]float64, x float64, K, n int) {
	bias := int64(n) << 15
	for k := range K {
		j, l := k/4, k%4
		v := s.lo[j&15]
		if l&1 == 1 {
			v = s.hi[j&15]
		}
		if l >= 2 {
			v >>= 32
		}
		acc[k&63] += x * float64(int64(uint32(v))-bias)
	}
}

// smallCounts bounds the counts whose weight rows scoreAcc sums as
// integers.
const smallCounts = 16

// madd adds x × row to acc, four labels a step.
func madd(acc *[64]float64, x float64, row []int16) {
	k := 0
	for ; k+4 <= len(row) && k+4 <= len(acc); k += 4 {
		r, a := row[k:k+4:k+4], acc[k:k+4:k+4]
		a[0] += x * float64(r[0])
		a[1] += x * float64(r[1])
		a[2] += x * float64(r[2])
		a[3] += x * float64(r[3])
	}
	for ; k < len(row) && k < len(acc); k++ {
		acc[k] += x * float64(row[k])
	}
}

// logTable holds log(c) for small counts.
var logTable = func() (t [256]float64) {
	for c := 1; c < len(t); c++ {
		t[c] = math.Log(float64(c))
	}
	return t
}()

const storyMagic = "TGSTORY1"

// write serialises the story model (little endian).
func (sm *StoryModel) write(w io.Writer, labelIDs []string) error {
	var buf bytes.Buffer
	buf.WriteString(storyMagic)
	put := func(v any) { binary.Write(&buf, binary.LittleEndian, v) }
	put(uint32(sm.bits))
	b := uint32(0)
	if sm.bigram {
		b = 1
	}
	put(b)
	put(uint32(len(sm.labels)))
	for _, l := range sm.labels {
		id := labelIDs[l]
		put(uint32(len(id)))
		buf.WriteString(id)
	}
	put(uint32(len(sm.idf)))
	put(sm.idf)
	put(uint32(len(sm.mean)))
	put(sm.mean)
	put(sm.scale)
	put(sm.q)
	put(sm.bias)
	wt := sm.weights()
	put(uint32(len(wt)))
	put(wt)
	_, err := w.Write(buf.Bytes())
	return err
}

// readStoryModel reads a story model written by write; labelIdx maps label
// ids to model-label indices.
func readStoryModel(b []byte, labelIdx map[string]int, nLabels int) (*StoryModel, error) {
	r := bytes.NewReader(b)
	magic := make([]byte, len(storyMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != storyMagic {
		return nil, errors.New("not a story model (bad magic)")
	}
	var err error
	get := func(v any) {
		if err == nil {
			err = binary.Read(r, binary.LittleEndian, v)
		}
	}
	var bits, bg, nl uint32
	get(&bits)
	get(&bg)
	get(&nl)
	if err != nil || bits < 8 || bits > 24 || bg > 1 || nl == 0 || nl > 64 {
		return nil, fmt.Errorf("story model header: bits %d, bigrams %d, labels %d: %w", bits, bg, nl, errors.Join(err, errors.New("out of range")))
	}
	sm := &StoryModel{bits: int(bits), bigram: bg == 1}
	for range nl {
		var n uint32
		get(&n)
		if err != nil || n > 64 {
			return nil, fmt.Errorf("story model label: %w", errors.Join(err, errors.New("bad length")))
		}
		id := make([]byte, n)
		if _, e := io.ReadFull(r, id); e != nil {
			return nil, fmt.Errorf("story model label: %w", e)
		}
		li, ok := labelIdx[string(id)]
		if !ok {
			return nil, fmt.Errorf("story model: unknown label %q", id)
		}
		sm.labels = append(sm.labels, li)
	}
	K := len(sm.labels)
	var n uint32
	get(&n)
	if err == nil && n != 0 && n != 1<<bits {
		return nil, fmt.Errorf("story model: %d idf entries for %d buckets", n, 1<<bits)
	}
	if err == nil && r.Len() < 4*int(n) {
		err = io.ErrUnexpectedEOF // before allocating what a short file claims
	}
	if n > 0 && err == nil {
		sm.idf = make([]float32, n)
		get(sm.idf)
	}
	get(&n)
	if err != nil {
		return nil, fmt.Errorf("story model: %w", err)
	}
	if int(n) != numDense(nLabels) {
		return nil, fmt.Errorf("story model: %d dense features, want %d", n, numDense(nLabels))
	}
	sm.mean, sm.scale = make([]float32, n), make([]float32, n)
	get(sm.mean)
	get(sm.scale)
	sm.q, sm.bias = make([]float32, K), make([]float64, K)
	get(sm.q)
	get(sm.bias)
	get(&n)
	if err == nil && int(n) != ((1<<bits)+numDense(nLabels))*K {
		return nil, fmt.Errorf("story model: %d weights, want %d", n, ((1<<bits)+numDense(nLabels))*K)
	}
	if err != nil {
		return nil, fmt.Errorf("story model: %w", err)
	}
	// The weights are most of the file: decoded in place, not through
	// binary.Read's reflection and copy (loading is part of every run).
	rest := b[len(b)-r.Len():]
	if len(rest) != 2*int(n) {
		return nil, fmt.Errorf("story model weights: %d bytes for %d weights", len(rest), n)
	}
	w := make([]int16, n)
	for i := range w {
		w[i] = int16(binary.LittleEndian.Uint16(rest[2*i:]))
	}
	sm.setWeights(w)
	return sm, nil
}

// storyBigrams tells whether the story features of a prediction count
// bigrams.
func (m *Model) storyBigrams(opt PredictOptions) bool {
	if m.story != nil {
		return m.story.bigram
	}
	return opt.vector != nil && opt.vector.Bigrams
}

// decideStoryModel decides label li on the story model's log-odds z: z
// reaches the story threshold thr, and the story has evidence (see
// StoryConfig.Evidence). Score is sigmoid(z − balanced threshold), 0.5 at
// the balanced threshold.
func (m *Model) decideStoryModel(li int, topZ, z, thr float64) (float64, bool) {
	return sigmoid(z - m.info[li].Story.Balanced), m.storyEvidence(li, topZ) && z >= thr
}

// storyEvidence tells whether a story whose best window for label li
// scored topZ has evidence for a finding: that window at the evidence
// bar, or with a story model's Evidence "any", any window at all.
func (m *Model) storyEvidence(li int, topZ float64) bool {
	if m.storyCol != nil && m.storyCol[li] >= 0 {
		if c := m.manifest.Config.Story; c != nil && c.Evidence == "any" {
			return topZ > gated
		}
	}
	return topZ >= m.evidenceBar(li)
}

// PredictVector is Predict without the story model (the passage model and
// lexicon alone) that also returns the story's features for a story
// model hashed with cfg: what TrainStory learns from.
func (m *Model) PredictVector(ctx context.Context, text string, bodyByte, bodyLine int, opt PredictOptions, cfg StoryConfig) (Result, StoryVector, error) {
	base := m.withStory(nil, nil)
	v := StoryVector{Bits: cfg.HashBits, Bigrams: cfg.Bigrams}
	opt.vector = &v
	r, err := base.Predict(ctx, text, bodyByte, bodyLine, opt)
	if err != nil {
		return Result{}, StoryVector{}, err
	}
	v.Bigrams = cfg.Bigrams
	return r, v, nil
}
