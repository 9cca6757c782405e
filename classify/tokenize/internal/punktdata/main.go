// Command punktdata writes the English Punkt training data that the
// sentences package ships gzipped (gopkg.in/neurosnap/sentences.v1/data,
// MIT licence, © Eric Bower) to punkt_english.json, plain, without the
// indentation (a third smaller) and with the keys sorted (the orthographic
// contexts are kept as a sorted table), for the tokenize package to embed:
// run by go generate in classify/tokenize.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"gopkg.in/neurosnap/sentences.v1/data"
)

func main() {
	if err := write("punkt_english.json"); err != nil {
		fmt.Fprintln(os.Stderr, "punktdata:", err)
		os.Exit(1)
	}
}

func write(name string) error {
	b, err := data.Asset("data/english.json")
	if err != nil {
		return err
	}
	var sets map[string]map[string]int
	if err := json.Unmarshal(b, &sets); err != nil {
		return fmt.Errorf("the package's English data: %w", err)
	}
	// encoding/json writes map keys sorted; no HTML escapes, which the
	// tokenize package's fast reader leaves to encoding/json.
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sets); err != nil {
		return err
	}
	return os.WriteFile(name, out.Bytes(), 0o644)
}
