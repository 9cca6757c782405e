package datasets_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/tagger-dev/tagger/datasets"
)

// Read yields one Story per work; "-" reads Options.Stdin, here a story in
// a string.
func ExampleRead() {
	story := `Title: The Long Night
Rating: M
Warnings: Graphic Depictions Of Violence, Major Character Death

The storm broke over the harbour at midnight.
`
	opt := datasets.Options{Stdin: strings.NewReader(story)}
	for s := range datasets.Read(context.Background(), []string{"-"}, opt) {
		if s.Err != nil {
			fmt.Println("error:", s.Err)
			continue
		}
		fmt.Println("title:", s.Title)
		fmt.Println("declared rating:", s.DeclaredRating, "("+s.DeclaredRatingRaw+")")
		fmt.Println("declared warnings:", s.DeclaredWarnings)
		fmt.Println("body starts on line", s.BodyLine)
	}
	// Output:
	// title: The Long Night
	// declared rating: mature (M)
	// declared warnings: [violence death]
	// body starts on line 5
}
