package datasets

import "flag"

// update rewrites the golden files of this package's tests (seeds, text
// formats, HTML and EPUB formats); review the diff before committing.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/ (review the diff before committing)")

// UpdateGolden exposes the -update flag to the package's external tests.
var UpdateGolden = update
