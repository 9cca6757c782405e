package datasets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

type errAfter struct {
	r   io.Reader
	err error
}

func (e *errAfter) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

func readIDs(t *testing.T, data string, readers int) []string {
	var ids []string
	in := &errAfter{r: strings.NewReader(data), err: errors.New("disk on fire")}
	for s := range Read(context.Background(), []string{"-"}, Options{Stdin: in, Readers: readers}) {
		e := ""
		if s.Err != nil {
			e = " ERR"
		}
		ids = append(ids, s.ID+e)
	}
	return ids
}

func TestZZCSVReadError(t *testing.T) {
	var b strings.Builder
	b.WriteString("work_id,body\n")
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&b, "%d,\"Body of work %d.\"\n", i, i)
	}
	b.WriteString("6,\"unterminated") // the read error comes while this row is read
	one, four := readIDs(t, b.String(), 1), readIDs(t, b.String(), 4)
	t.Logf("Readers=1: %v", one)
	t.Logf("Readers=4: %v", four)
	if fmt.Sprint(one) != fmt.Sprint(four) {
		t.Errorf("differ")
	}
	var j strings.Builder
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&j, "{\"id\":\"%d\",\"text\":\"x\"}\n", i)
	}
	j.WriteString(`{"id":"6","text":"unterminated`)
	one, four = readIDs(t, j.String(), 1), readIDs(t, j.String(), 4)
	t.Logf("JSONL Readers=1: %v", one)
	t.Logf("JSONL Readers=4: %v", four)
}
