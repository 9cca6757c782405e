package datasets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	sjson "github.com/segmentio/encoding/json"

	"github.com/tagger-dev/tagger/datasets/header"
	"github.com/tagger-dev/tagger/taxonomy"
)

// recordShape is the hint every record error ends with.
const recordShape = `each line must be {"id": ..., "text": ...}`

// jsonRecord is one line of a JSONL corpus. Values stay raw so that a value
// of the wrong type is reported with the name of its field.
type jsonRecord struct {
	ID     json.RawMessage `json:"id"`
	WorkID json.RawMessage `json:"work_id"` // PAN 2023
	Text   jsonText        `json:"text"`
	Labels json.RawMessage `json:"labels"` // PAN 2023

	Title         json.RawMessage `json:"title"`
	Author        json.RawMessage `json:"author"`
	Authors       json.RawMessage `json:"authors"`
	Rating        json.RawMessage `json:"rating"`
	Warnings      json.RawMessage `json:"warnings"`
	Tags          json.RawMessage `json:"tags"`
	Fandom        json.RawMessage `json:"fandom"`
	Fandoms       json.RawMessage `json:"fandoms"`
	Relationships json.RawMessage `json:"relationships"`
	Relationship  json.RawMessage `json:"relationship"`
	Characters    json.RawMessage `json:"characters"`
	Character     json.RawMessage `json:"character"`
	Warning       json.RawMessage `json:"warning"`
	Summary       json.RawMessage `json:"summary"`
	Notes         json.RawMessage `json:"notes"`
	Language      json.RawMessage `json:"language"`

	// AO3's own names, as scrapers and dumps of the archive write them.
	ArchiveWarnings json.RawMessage `json:"archive_warnings"`
	Freeform        json.RawMessage `json:"freeform"`
	AdditionalTags  json.RawMessage `json:"additional_tags"`
	Category        json.RawMessage `json:"category"`
	Categories      json.RawMessage `json:"categories"`
}

// jsonText is a record's text, decoded straight from the line: keeping its
// raw bytes (json.RawMessage) would cost a copy of the whole line.
type jsonText struct {
	present, isString bool
	s                 string
}

func (t *jsonText) UnmarshalJSON(b []byte) error {
	t.present = string(b) != "null"
	if len(b) == 0 || b[0] != '"' {
		return nil
	}
	t.isString = true
	if s, ok := unquoteJSON(b); ok {
		t.s = s
		return nil
	}
	return json.Unmarshal(b, &t.s)
}

// unquoteJSON decodes b, a JSON string literal that encoding/json has
// already checked (as it has any value it hands to an UnmarshalJSON),
// exactly as json.Unmarshal into a string would. ok is false when b holds
// invalid UTF-8, which json.Unmarshal replaces rune by rune; the caller
// then leaves b to it. A story's text is most of a corpus line, and
// json.Unmarshal scans a literal again for validity before it decodes it:
// that second pass over every text was a tenth of reading a corpus, on
// the goroutine that reads it.
func unquoteJSON(b []byte) (s string, ok bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	b = b[1 : len(b)-1]
	if !utf8.Valid(b) {
		return "", false
	}
	i := bytes.IndexByte(b, '\\')
	if i < 0 {
		return string(b), true
	}
	out := make([]byte, 0, len(b))
	for {
		out = append(out, b[:i]...)
		b = b[i:]
		if len(b) < 2 {
			return "", false
		}
		switch c := b[1]; c {
		case '"', '\\', '/':
			out = append(out, c)
			b = b[2:]
		case 'b':
			out, b = append(out, '\b'), b[2:]
		case 'f':
			out, b = append(out, '\f'), b[2:]
		case 'n':
			out, b = append(out, '\n'), b[2:]
		case 'r':
			out, b = append(out, '\r'), b[2:]
		case 't':
			out, b = append(out, '\t'), b[2:]
		case 'u':
			r, ok := hex4(b[2:])
			if !ok {
				return "", false
			}
			b = b[6:]
			if utf16.IsSurrogate(r) {
				// A pair makes one rune; a lone half is U+FFFD, as
				// encoding/json reads it.
				r2, ok := rune(-1), false
				if len(b) >= 6 && b[0] == '\\' && b[1] == 'u' {
					r2, ok = hex4(b[2:])
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r, b = dec, b[6:]
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
		if i = bytes.IndexByte(b, '\\'); i < 0 {
			out = append(out, b...)
			return string(out), true
		}
	}
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}

// parseRecord makes the Story of one non-blank corpus line. enc is the
// corpus encoding, src the line's source (path:line) and id the ID to use
// when the record has none; tx is what its header or fields are read
// against (nil: the default taxonomy).
func parseRecord(tx *taxonomy.Taxonomy, line []byte, enc, src, id string, countWords bool) *Story {
	sum := sha256.Sum256(line)
	s := &Story{ID: id, Source: src, Format: FormatJSONL, SHA256: hex.EncodeToString(sum[:]), Encoding: enc}
	if enc == EncodingUTF8 && !utf8.Valid(line) {
		// JSON is UTF-8 by definition, but a corpus written by an old
		// Windows tool is not; decode it as a text file would be.
		if text, err := decodeWindows1252(line); err == nil {
			line, s.Encoding = []byte(text), EncodingWindows1252
		}
	}
	rec, err := decodeRecord(line)
	if rec.id != "" {
		s.ID = rec.id
	}
	s.Format = rec.format
	if err != nil {
		s.Err = fmt.Errorf("%s: jsonl record: %w", src, err)
		return s
	}
	s.Text = rec.text
	if rec.declared {
		// The record declares its metadata; its text is all body.
		s.Declared = header.BuildWith(tx, rec.fields)
		s.BodyLine, s.BodyByte = 1, 0
	} else {
		res := header.ParseWith(tx, rec.text)
		s.Declared = res.Declared
		s.BodyLine, s.BodyByte = res.BodyLine, res.BodyByte
	}
	if countWords {
		s.Words = CountWords(s.Body())
	}
	return s
}

// record is what a corpus line holds.
type record struct {
	id     string // empty when the record has none
	format Format // FormatJSONL or FormatPAN2023
	text   string // plain text: a PAN 2023 work's HTML is converted
	// declared reports that the record carries its metadata in fields, for
	// header.Build; otherwise its text may carry a header.
	declared bool
	fields   []header.Field
}

// decodeRecord decodes a corpus line. On error, the record holds the id and
// format when they are known.
func decodeRecord(line []byte) (record, error) {
	rec := record{format: FormatJSONL}
	if b := bytes.TrimLeft(line, " \t\r"); len(b) == 0 || b[0] != '{' {
		return rec, errors.New("not a JSON object; " + recordShape)
	}
	var j jsonRecord
	if err := unmarshal(line, &j); err != nil {
		return rec, fmt.Errorf("invalid JSON: %w; %s", err, recordShape)
	}

	pan := present(j.WorkID) && !present(j.ID)
	idName, idRaw := "id", j.ID
	if pan {
		idName, idRaw = "work_id", j.WorkID
		rec.format = FormatPAN2023
	}
	if present(idRaw) {
		id, err := jsonID(idRaw)
		if err != nil {
			return rec, fmt.Errorf("%q must be a string or a number", idName)
		}
		rec.id = id
	}

	if !j.Text.present {
		return rec, errors.New(`missing "text" field; ` + recordShape)
	}
	if !j.Text.isString {
		return rec, errors.New(`"text" must be a string; ` + recordShape)
	}
	rec.text = j.Text.s

	if pan {
		fields, err := appendFields(nil, "labels", header.KeyWarnings, j.Labels, true)
		if err != nil {
			return rec, err
		}
		rec.text = htmlToText(rec.text)
		if isSpace(rec.text) {
			return rec, fmt.Errorf(`%w: "text" holds no text once its HTML is removed`, ErrEmpty)
		}
		// Labels are the only metadata of a PAN work, and they say which
		// warnings apply, so the work is "declared" even with none.
		rec.declared, rec.fields = true, fields
		return rec, nil
	}

	declared := []struct {
		label, key string
		raw        json.RawMessage
		list       bool
	}{
		{"title", header.KeyTitle, j.Title, false},
		{"author", header.KeyAuthor, j.Author, true},
		{"authors", header.KeyAuthor, j.Authors, true},
		{"rating", header.KeyRating, j.Rating, true}, // AO3 dumps write ["Mature"]
		{"warnings", header.KeyWarnings, j.Warnings, true},
		{"warning", header.KeyWarnings, j.Warning, true}, // the singular, as "fandom" and "author" are read
		{"tags", header.KeyFreeform, j.Tags, true},       // archive tags: those naming a warning declare it
		{"fandom", header.KeyFandom, j.Fandom, true},
		{"fandoms", header.KeyFandom, j.Fandoms, true},
		{"relationships", header.KeyRelationships, j.Relationships, true},
		{"relationship", header.KeyRelationships, j.Relationship, true},
		{"characters", header.KeyCharacters, j.Characters, true},
		{"character", header.KeyCharacters, j.Character, true},
		{"summary", header.KeySummary, j.Summary, false},
		{"notes", header.KeyNotes, j.Notes, false},
		{"language", header.KeyLanguage, j.Language, false},
		{"archive_warnings", header.KeyWarnings, j.ArchiveWarnings, true},
		{"freeform", header.KeyFreeform, j.Freeform, true},
		{"additional_tags", header.KeyFreeform, j.AdditionalTags, true},
		{"category", header.KeyCategory, j.Category, true},
		{"categories", header.KeyCategory, j.Categories, true},
	}
	for _, d := range declared {
		var err error
		if rec.fields, err = appendFields(rec.fields, d.label, d.key, d.raw, d.list); err != nil {
			return rec, err
		}
	}
	if isSpace(rec.text) {
		return rec, fmt.Errorf(`%w: "text" is empty or holds only whitespace`, ErrEmpty)
	}
	rec.declared = len(rec.fields) > 0
	return rec, nil
}

// appendFields appends a header field to fields for the string raw, or one
// for each string of the list raw when list is set. Null and blank values
// declare nothing.
func appendFields(fields []header.Field, label, key string, raw json.RawMessage, list bool) ([]header.Field, error) {
	if !present(raw) {
		return fields, nil
	}
	add := func(v string, item bool) {
		if v = strings.TrimSpace(v); v != "" {
			fields = append(fields, header.Field{Key: key, Label: label, Value: v, Item: item})
		}
	}
	// raw is a value the record's decoding has checked, so these decode
	// without error; segmentio's decoder does it in less time.
	switch raw[0] {
	case '"':
		v, ok := unquoteJSON(raw)
		if !ok {
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("%q: %w", label, err)
			}
		}
		add(v, false) // a list written as one string is split as written
		return fields, nil
	case '[':
		if !list {
			break
		}
		var vs []any
		if err := unmarshal(raw, &vs); err != nil {
			return nil, fmt.Errorf("%q: %w", label, err)
		}
		for _, v := range vs {
			switch v := v.(type) {
			case string:
				add(v, true)
			case nil:
			default:
				return nil, fmt.Errorf("%q must be a string or a list of strings", label)
			}
		}
		return fields, nil
	}
	if list {
		return nil, fmt.Errorf("%q must be a string or a list of strings", label)
	}
	return nil, fmt.Errorf("%q must be a string", label)
}

// unmarshal decodes data into v as json.Unmarshal does, with segmentio's
// decoder, which accepts and decodes exactly what encoding/json does
// (FuzzRecordDecoders) in about two thirds of its time, on the goroutines
// that parse a corpus's records. Two things it does differently are left
// to encoding/json: wording what is wrong with bad input, and input
// nested deeper than encoding/json's limit of 10,000, which it rejects
// and segmentio's recursion would follow until the stack overflows and
// the process dies (a few megabytes of brackets); such input has more
// than 10,000 brackets, which is counted first.
func unmarshal(data []byte, v any) error {
	if bytes.Count(data, []byte("["))+bytes.Count(data, []byte("{")) > maxJSONDepth {
		return json.Unmarshal(data, v)
	}
	err := sjson.Unmarshal(data, v)
	if err != nil {
		// Into a value of its own: v holds what segmentio read.
		if stdErr := json.Unmarshal(data, reflect.New(reflect.TypeOf(v).Elem()).Interface()); stdErr != nil {
			err = stdErr
		}
	}
	return err
}

// maxJSONDepth is encoding/json's limit on nesting.
const maxJSONDepth = 10000

// present reports whether a record holds a non-null value.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// jsonID turns the JSON string or number raw into an ID.
func jsonID(raw json.RawMessage) (string, error) {
	switch c := raw[0]; {
	case c == '"':
		var id string
		err := json.Unmarshal(raw, &id)
		return id, err
	case c == '-' || '0' <= c && c <= '9':
		return formatNumber(string(raw)), nil
	}
	return "", errors.New("not a string or a number")
}

// formatNumber writes the JSON number lit without an exponent, exactly:
// "1.5e3" is "1500". A number without an exponent is kept as written, and so
// is one whose exponent would make an absurdly long ID.
func formatNumber(lit string) string {
	i := strings.IndexAny(lit, "eE")
	if i < 0 {
		return lit
	}
	exp, err := strconv.Atoi(lit[i+1:])
	if err != nil || exp > 100 || exp < -100 {
		return lit
	}
	mant, neg := strings.CutPrefix(lit[:i], "-")
	whole, frac, _ := strings.Cut(mant, ".")
	digits := whole + frac
	point := len(whole) + exp
	switch {
	case point <= 0:
		whole, frac = "0", strings.Repeat("0", -point)+digits
	case point >= len(digits):
		whole, frac = digits+strings.Repeat("0", point-len(digits)), ""
	default:
		whole, frac = digits[:point], digits[point:]
	}
	out := strings.TrimLeft(whole, "0")
	if out == "" {
		out = "0"
	}
	if frac = strings.TrimRight(frac, "0"); frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}

// utf16Reader decodes UTF-16 without a byte-order mark from r.
func utf16Reader(r io.Reader, littleEndian bool) io.Reader {
	order := xunicode.BigEndian
	if littleEndian {
		order = xunicode.LittleEndian
	}
	return transform.NewReader(r, xunicode.UTF16(order, xunicode.IgnoreBOM).NewDecoder())
}
