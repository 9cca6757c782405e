package datasets

import (
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
)

// storyExtensions are the file name extensions of the formats Read reads
// (compared lower-cased): text, HTML and EPUB stories, JSONL and CSV
// corpora.
var storyExtensions = map[string]bool{
	".txt": true, ".text": true, ".md": true,
	".html": true, ".htm": true, ".xhtml": true, ".epub": true,
	".jsonl": true, ".ndjson": true, ".csv": true,
}

// IsStoryFile reports whether a file's name has the extension of a story
// format Read reads: .txt, .text, .md, .html, .htm, .xhtml, .epub, .jsonl,
// .ndjson or .csv, in any case.
func IsStoryFile(name string) bool {
	return storyExtensions[strings.ToLower(path.Ext(name))]
}

// A Selector chooses the files of a directory tree that are stories, for
// Options.Select: a file is read when it matches an include pattern, or,
// with no include patterns, when IsStoryFile says its extension is a story
// format's; and no exclude pattern matches it. A configuration file or a
// picture beside the stories is then not taken for a story.
//
// Patterns are globs in the syntax of github.com/bmatcuk/doublestar: *
// and ? within a name, [abc], {a,b}, and ** for any number of directories.
// A pattern without a slash matches a file's name at any depth ("*.bak");
// one with a slash matches its path relative to the directory given as
// input ("drafts/**", "**/notes/*.txt").
//
// A Selector counts the files it skipped for not being a story format
// (not those excluded on purpose), so a run can say so. Links to
// directories, which Read never follows, it leaves out too: silently when
// an exclude pattern matches the link, else counted (SkippedLinks), so
// that a "latest -> 2024-11/" beside the stories neither fails a run nor
// goes unmentioned. It is safe for concurrent use.
type Selector struct {
	include, exclude []string

	mu      sync.Mutex
	skipped int
	example string // the first file skipped for its extension
	links   int
	link    string // the first link to a directory left out
}

// NewSelector returns a Selector of the include and exclude patterns, or
// an error naming a pattern that is not a valid glob.
func NewSelector(include, exclude []string) (*Selector, error) {
	for _, list := range [][]string{include, exclude} {
		for _, p := range list {
			if p == "" || !doublestar.ValidatePattern(p) {
				return nil, fmt.Errorf("glob %q is not a valid pattern: use *, ?, [abc], {a,b} and ** (any directories)", p)
			}
		}
	}
	return &Selector{include: include, exclude: exclude}, nil
}

// Select reports whether the file at rel (slash-separated, relative to the
// directory input) is read.
func (s *Selector) Select(rel string) bool {
	if dir, ok := strings.CutSuffix(rel, "/"); ok {
		// A link to a directory (see Options.Select).
		if !matchAny(s.exclude, dir) {
			s.count(&s.links, &s.link, dir)
		}
		return false
	}
	if matchAny(s.exclude, rel) {
		return false
	}
	if len(s.include) > 0 {
		return matchAny(s.include, rel)
	}
	if IsStoryFile(rel) {
		return true
	}
	s.count(&s.skipped, &s.example, rel)
	return false
}

// count adds one to n, and notes rel as first if it is the first.
func (s *Selector) count(n *int, first *string, rel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*n++
	if *first == "" {
		*first = rel
	}
}

// Skipped returns how many files Select skipped for not having a story
// format's extension, and the first of them.
func (s *Selector) Skipped() (n int, first string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.skipped, s.example
}

// SkippedLinks returns how many links to directories Select left out
// without an exclude pattern naming them, and the first of them.
func (s *Selector) SkippedLinks() (n int, first string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.links, s.link
}

// matchAny reports whether rel matches one of patterns: by its name for a
// pattern without a slash, else by the whole relative path.
func matchAny(patterns []string, rel string) bool {
	for _, p := range patterns {
		subject := rel
		if !strings.Contains(p, "/") {
			subject = path.Base(rel)
		}
		// Patterns were validated by NewSelector, so Match cannot fail.
		if ok, _ := doublestar.Match(p, subject); ok {
			return true
		}
	}
	return false
}
