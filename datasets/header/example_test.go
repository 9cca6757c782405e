package header_test

import (
	"fmt"

	"github.com/tagger-dev/tagger/datasets/header"
)

// Parse maps a hand-written header onto tagger's rating scale and labels,
// keeping the raw rating beside the canonical one. A warning the author
// rules out ("no rape") is not declared, and "slash" is a tag, not a
// warning.
func ExampleParse() {
	text := `Title: The Long Night
Fandom: Star Wars
Rating: NC-17
Warnings: major character death, no rape, slash

The storm broke over the harbour at midnight.
`
	r := header.Parse(text)
	d := r.Declared
	fmt.Println("layout:", r.Layout)
	fmt.Println("title:", d.Title)
	fmt.Println("fandoms:", d.Fandoms)
	fmt.Println("rating:", d.DeclaredRating, "from", d.DeclaredRatingRaw, "on the", d.RatingSystem, "scale")
	fmt.Println("warning status:", d.WarningStatus)
	fmt.Println("warnings:", d.DeclaredWarnings)
	fmt.Println("negated:", d.NegatedWarnings)
	fmt.Println("tags:", d.Tags)
	fmt.Println("body starts on line", r.BodyLine, "at byte", r.BodyByte)
	// Output:
	// layout: free-form
	// title: The Long Night
	// fandoms: [Star Wars]
	// rating: explicit from NC-17 on the mpaa scale
	// warning status: declared
	// warnings: [death]
	// negated: [sexual-abuse]
	// tags: [slash]
	// body starts on line 6 at byte 103
}
