package classify_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/models"
)

// Predict scores a story's text with the embedded default model; a
// caller that has parsed a header passes the body's byte offset and line.
func ExampleModel_Predict() {
	m, err := models.Default()
	if err != nil {
		panic(err)
	}
	text := "He drew the knife and stabbed the guard in the chest. Blood sprayed across the wall as the man screamed and fell. The soldiers beat the prisoner until his bones broke, and they shot the ones who ran. By morning the courtyard was full of corpses, and the killer wiped the blood from his blade."
	// The body starts at byte 0, on line 1: the text has no header.
	r, err := m.Predict(context.Background(), text, 0, 1, classify.PredictOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println("violence detected:", slices.Contains(r.Detected, "violence"))
	fmt.Println("predicted rating:", r.PredictedRating)
	// Output:
	// violence detected: true
	// predicted rating: teen
}
