// Package seeds holds the four stories tagger started from, with the
// declared metadata and findings each is expected to produce. Tests across
// the project read them through FS; the golden expectations live in
// testdata/ and are updated only with -update, after review.
package seeds

import "embed"

// FS holds the seed stories (*.txt).
//
//go:embed *.txt
var FS embed.FS
