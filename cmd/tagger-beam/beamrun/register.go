package beamrun

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/pipeline"
)

// Beam's workers find DoFns, emitters, iterators and coders by name in a
// registry that the SDK fills at init: its convention, and the one global
// state of this package.
func init() {
	register.DoFn2x1[inputRef, func(inputRef), error](&matchFn{})
	register.DoFn4x1[context.Context, inputRef, func(storyMsg), func(string, classify.Chunk), error](&readFn{})
	register.DoFn4x1[context.Context, storyMsg, func(pipeline.Row), func(string, storyMsg), error](&scoreFn{})
	register.DoFn4x1[context.Context, string, classify.Chunk, func(string, classify.Partial), error](&scoreChunkFn{})
	register.Combiner3[partialSet, classify.Partial, partialSet](&combinePartials{})
	register.DoFn4x1[string, func(*storyMsg) bool, func(*partialSet) bool, func(pipeline.Row), error](&finishFn{})
	register.DoFn1x2[int, int, bool](&shardKeyFn{})
	register.DoFn1x2[pipeline.Row, int, pipeline.Row](&keyRowFn{})
	register.DoFn5x1[context.Context, int, func(*bool) bool, func(*pipeline.Row) bool, func(string), error](&writeFn{})

	register.Emitter1[inputRef]()
	register.Emitter1[storyMsg]()
	register.Emitter2[string, classify.Chunk]()
	register.Emitter1[pipeline.Row]()
	register.Emitter2[string, storyMsg]()
	register.Emitter2[string, classify.Partial]()
	register.Emitter1[string]()
	register.Iter1[storyMsg]()
	register.Iter1[partialSet]()
	register.Iter1[bool]()
	register.Iter1[pipeline.Row]()

	// Each coder function has a name of its own: the registry keys
	// functions by name, and a generic's instances share one.
	beam.RegisterCoder(reflect.TypeFor[inputRef](), encodeInputRef, decodeInputRef)
	beam.RegisterCoder(reflect.TypeFor[storyMsg](), encodeStoryMsg, decodeStoryMsg)
	beam.RegisterCoder(reflect.TypeFor[classify.Chunk](), encodeChunk, decodeChunk)
	beam.RegisterCoder(reflect.TypeFor[classify.Partial](), encodePartial, decodePartial)
	beam.RegisterCoder(reflect.TypeFor[partialSet](), encodePartialSet, decodePartialSet)
	beam.RegisterCoder(reflect.TypeFor[pipeline.Row](), encodeRow, decodeRow)
}

// encodeGob and decodeGob are the coder of the types sent between stages
// that have no pointer fields (gob sends a pointer to a zero value as nil).
func encodeGob[T any](v T) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&v); err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	return buf.Bytes(), nil
}

func decodeGob[T any](b []byte) (T, error) {
	var v T
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&v); err != nil {
		return v, fmt.Errorf("decode %T: %w", v, err)
	}
	return v, nil
}

func encodeInputRef(v inputRef) ([]byte, error)        { return encodeGob(v) }
func decodeInputRef(b []byte) (inputRef, error)        { return decodeGob[inputRef](b) }
func encodeStoryMsg(v storyMsg) ([]byte, error)        { return encodeGob(v) }
func decodeStoryMsg(b []byte) (storyMsg, error)        { return decodeGob[storyMsg](b) }
func encodeChunk(v classify.Chunk) ([]byte, error)     { return encodeGob(v) }
func decodeChunk(b []byte) (classify.Chunk, error)     { return decodeGob[classify.Chunk](b) }
func encodePartial(v classify.Partial) ([]byte, error) { return encodeGob(v) }
func decodePartial(b []byte) (classify.Partial, error) { return decodeGob[classify.Partial](b) }
func encodePartialSet(v partialSet) ([]byte, error)    { return encodeGob(v) }
func decodePartialSet(b []byte) (partialSet, error)    { return decodeGob[partialSet](b) }
