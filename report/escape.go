package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// unsafeRune reports whether r must not reach a terminal as it is. The
// bidi marks LRM, RLM and ALM (U+200E, U+200F, U+061C) are not: they only
// set the direction of neutral characters next to them, as a letter of
// that direction would, and right-to-left text needs them. Tag characters
// are, except in an emoji tag sequence (see tagSequence).
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x2028, r == 0x2029,
		r >= 0xfff9 && r <= 0xfffb,
		r >= 0xe0000 && r <= 0xe007f:
		return true
	}
	return false
}

// tagBase is WAVING BLACK FLAG, the base of the emoji tag sequences of
// subdivision flags (England: U+1F3F4, the tags "gbeng", CANCEL TAG).
const tagBase = 0x1f3f4

// tagSequence returns the length in bytes of the emoji tag sequence at the
// start of s, which follows a WAVING BLACK FLAG: one or more tag
// characters U+E0020–U+E007E ended by CANCEL TAG U+E007F; 0 when s does
// not start with one. Such a sequence is kept as it is: it shows as one
// flag. Tag characters anywhere else are escaped, as they hide text.
func tagSequence(s []byte) int {
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r >= 0xe0020 && r <= 0xe007e:
			n++
		case r == 0xe007f && n > 0:
			return i + size
		default:
			return 0
		}
		i += size
	}
	return 0
}

func tagSequenceString(s string) int {
	// The sequence is at most a few dozen bytes: look no further.
	return tagSequence([]byte(s[:min(len(s), 4*34)]))
}

// needsEscape reports whether s has anything Clean would change.
func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unsafeRune(r) {
			return true
		}
		i += n
		if r == tagBase {
			i += tagSequenceString(s[i:])
		}
	}
	return false
}

// writeEscape writes the escaped form of the character r (or, when bad,
// of the invalid byte b) to sb.
func writeEscape(sb *strings.Builder, r rune, b byte, bad bool) {
	switch {
	case bad:
		fmt.Fprintf(sb, `\x%02x`, b)
	case r == '\n':
		sb.WriteString(`\n`)
	case r == '\r':
		sb.WriteString(`\r`)
	case r == '\t':
		sb.WriteString(`\t`)
	case r == '\a':
		sb.WriteString(`\a`)
	case r == '\b':
		sb.WriteString(`\b`)
	case r == '\f':
		sb.WriteString(`\f`)
	case r == '\v':
		sb.WriteString(`\v`)
	case r < 0x80:
		fmt.Fprintf(sb, `\x%02x`, r)
	case r <= 0xffff:
		fmt.Fprintf(sb, `\u%04x`, r)
	default:
		fmt.Fprintf(sb, `\U%08x`, r)
	}
}

// escape writes s with every unsafe character escaped; extra, when set,
// escapes more ASCII characters (with a backslash before them).
func escape(s string, extra func(byte) bool) string {
	var sb strings.Builder
	sb.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c < 0x20 || c == 0x7f:
				writeEscape(&sb, rune(c), 0, false)
			case extra != nil && extra(c):
				sb.WriteByte('\\')
				sb.WriteByte(c)
			default:
				sb.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			writeEscape(&sb, 0, c, true)
		case unsafeRune(r):
			writeEscape(&sb, r, 0, false)
		case r == tagBase:
			n += tagSequenceString(s[i+n:])
			sb.WriteString(s[i : i+n])
		default:
			sb.WriteString(s[i : i+n])
		}
		i += n
	}
	return sb.String()
}

// Clean returns s safe to print on a terminal: every control, bidi and
// hiding character (see the package doc) is replaced by its escape,
// "\x1b" for ESC, "\u202e" for RIGHT-TO-LEFT OVERRIDE, "\n" for a
// newline. Text without such characters is returned unchanged.
func Clean(s string) string {
	if !needsEscape(s) {
		return s
	}
	return escape(s, nil)
}

// CleanLine is Clean for a passage shown on one line: runs of white space
// (newlines included) become one space first, as in the passage's prose.
func CleanLine(s string) string { return Clean(oneLine(s)) }

// EscapePath escapes a path for the first field of Lines so that a line
// splits unambiguously at its colons: a backslash becomes "\\", a colon
// "\:", and controls, bidi and hiding characters take the escapes Clean
// uses ("\n", "\x1b", "\u202e"). To recover the path, split the line at
// the first colon not preceded by a backslash and undo the escapes as
// strconv.Unquote does, reading "\:" as ":".
func EscapePath(s string) string {
	special := func(c byte) bool { return c == '\\' || c == ':' }
	if !needsEscape(s) && !strings.ContainsAny(s, `\:`) {
		return s
	}
	return escape(s, special)
}

// JSON writes v as one line of JSON, like json.Encoder with HTML escaping
// off, and safe for a terminal: on top of the control characters the
// encoding escapes, DEL, C1 controls, bidi and hiding characters (see
// Terminal safety above) are written as \u escapes inside their strings,
// so the value decodes to the same strings.
func JSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(SafeJSON(buf.Bytes()))
	return err
}

// SafeJSON rewrites encoded JSON so that it holds no character a terminal
// acts on: DEL, C1 controls, bidi and hiding characters become \u escapes
// (surrogate pairs above U+FFFF). Such characters can only stand inside
// strings, where the escape means the same character; b is returned as it
// is when it has none.
func SafeJSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		if b[i] == 0x7f {
			break
		}
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if unsafeRune(r) {
			break
		}
		i += n
		if r == tagBase {
			i += tagSequence(b[i:min(len(b), i+4*34)])
		}
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, n := rune(b[i]), 1
		if b[i] >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(b[i:])
		}
		if r == tagBase {
			n += tagSequence(b[i+n : min(len(b), i+n+4*34)])
		}
		switch {
		case r == 0x7f || r >= utf8.RuneSelf && unsafeRune(r) && r <= 0xffff:
			out = fmt.Appendf(out, `\u%04x`, r)
		case r > 0xffff && unsafeRune(r):
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		default:
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}
