// Command punktdata writes the English Punkt training data that the
// sentences package ships gzipped (gopkg.in/neurosnap/sentences.v1/data,
// MIT licence, © Eric Bower) to punkt_english.json, plain and without the
// indentation (a third smaller), for the tokenize package to embed: run by
// go generate in classify/tokenize.
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
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return fmt.Errorf("the package's English data: %w", err)
	}
	return os.WriteFile(name, append(out.Bytes(), '\n'), 0o644)
}
