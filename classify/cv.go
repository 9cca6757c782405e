package classify

// Folds splits data into k folds grouped by Labelled.Group: it returns, for
// each fold, the indices of its test examples. Texts of one work never fall
// in two folds, so a model is never tested on a work it was trained on.
func Folds(data []Labelled, k int, seed uint64) [][]int {
	groups := make([]string, len(data))
	for i, d := range data {
		groups[i] = d.Group
	}
	fold := groupFolds(groups, k, seed)
	out := make([][]int, k)
	for i, d := range data {
		f := fold[d.Group]
		out[f] = append(out[f], i)
	}
	return out
}

// split returns the examples in and out of one fold.
func split(data []Labelled, test []int) (train, held []Labelled) {
	in := make(map[int]bool, len(test))
	for _, i := range test {
		in[i] = true
	}
	for i, d := range data {
		if in[i] {
			held = append(held, d)
		} else {
			train = append(train, d)
		}
	}
	return train, held
}
