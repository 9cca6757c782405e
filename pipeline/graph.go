package pipeline

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// A run is a graph of stages in the shape of the Go blog's "pipelines and
// cancellation": each stage is a pool of goroutines that take items from a
// bounded channel and hand what they make to the next stage through
// another. A slow stage holds back the ones before it instead of letting
// work pile up in memory, and cancelling the graph's context ends every
// stage, each closing its output so the next one ends too.

// graph holds the stages of one run: their goroutines, in one errgroup so
// that the first stage to fail cancels the others, and their counters.
type graph struct {
	g      *errgroup.Group
	ctx    context.Context // cancelled when a stage fails or the caller's context ends
	stages []*stage
}

func newGraph(ctx context.Context) *graph {
	g, gctx := errgroup.WithContext(ctx)
	return &graph{g: g, ctx: gctx}
}

// wait waits for every stage run in the errgroup (not for sources: see
// addSource) and returns the first error.
func (gr *graph) wait() error { return gr.g.Wait() }

// stats returns the counters of every stage, in the order added.
func (gr *graph) stats() []StageStats {
	out := make([]StageStats, len(gr.stages))
	for i, st := range gr.stages {
		out[i] = StageStats{Name: st.name, Workers: st.workers, Items: st.items.Load(),
			Busy: time.Duration(st.busy.Load()), Wait: time.Duration(st.wait.Load())}
	}
	return out
}

// stage is one stage's name, size and counters (StageStats).
type stage struct {
	name       string
	workers    int
	items      atomic.Int64
	busy, wait atomic.Int64 // nanoseconds
}

// add counts one item that took busy of work and wait of waiting.
func (st *stage) add(busy, wait time.Duration) {
	st.items.Add(1)
	st.busy.Add(int64(busy))
	st.wait.Add(int64(wait))
}

func (gr *graph) newStage(name string, workers int) *stage {
	st := &stage{name: name, workers: workers}
	gr.stages = append(gr.stages, st)
	return st
}

// send hands v to out, waiting for room; it fails only when ctx ends
// first. It returns how long it waited.
func send[T any](ctx context.Context, out chan<- T, v T) (time.Duration, error) {
	select {
	case out <- v: // the common case: room downstream, no clock read
		return 0, nil
	default:
	}
	t := time.Now()
	select {
	case out <- v:
		return time.Since(t), nil
	case <-ctx.Done():
		return time.Since(t), ctx.Err()
	}
}

// addSource starts produce in a goroutine of its own, outside the
// errgroup, handing what it makes to emit, which waits for room in an
// unbuffered channel and fails once ctx ends. A source may block in a read
// that nothing can interrupt (a FIFO without a writer, a terminal), and a
// stop must not wait for it: the stage that takes its items ends with ctx
// whatever the source does. The channel is closed when produce returns, and
// done once it has.
func addSource[Out any](ctx context.Context, produce func(ctx context.Context, emit func(Out) error)) (out <-chan Out, done <-chan struct{}) {
	ch := make(chan Out)
	fin := make(chan struct{})
	go func() {
		defer close(fin)
		defer close(ch)
		produce(ctx, func(v Out) error {
			_, err := send(ctx, ch, v)
			return err
		})
	}()
	return ch, fin
}

// stageSpec describes a stage of workers.
type stageSpec[In, Out any] struct {
	name    string
	workers int
	// ctx ends the stage; nil is the graph's context. A stage given its
	// own (derived from the graph's) can end before the graph does: the
	// writer, when it gives up waiting after a stop.
	ctx context.Context
	// buf is the capacity of the output channel.
	buf int
	// do handles one item, handing what it makes (any number of items) to
	// emit. An error of do fails the run, unless it is the stage's context
	// ending: then the worker just stops.
	do func(ctx context.Context, x In, emit func(Out) error) error
	// room, when set, waits for room for an item beyond the output
	// channel's (the byte budget) before it is sent; like the wait for
	// the channel, its time counts as waiting.
	room func(ctx context.Context, v Out) error
	// readIsWork says the input comes from the stage's own source (the
	// reader): the time waiting for it is the stage's work, and busy.
	readIsWork bool
	// end, when set, is each worker's last call: with nil when the input
	// is exhausted, or with the context's error when the stage was ended.
	// It flushes what the worker holds; its error is the worker's.
	end func(cause error) error
}

// addStage starts a stage: sp.workers goroutines in the graph's errgroup
// that take items from in and run sp.do on each. It returns the stage's
// output, closed once every worker is done. Time spent waiting for input or
// for room downstream counts as the stage's waiting, the rest as busy.
func addStage[In, Out any](gr *graph, in <-chan In, sp stageSpec[In, Out]) <-chan Out {
	ctx := sp.ctx
	if ctx == nil {
		ctx = gr.ctx
	}
	workers := max(sp.workers, 1)
	st := gr.newStage(sp.name, workers)
	out := make(chan Out, sp.buf)
	end := sp.end
	if end == nil {
		end = func(error) error { return nil }
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		gr.g.Go(func() error {
			defer wg.Done()
			var blocked time.Duration // waiting for room downstream, within do
			emit := func(v Out) error {
				if sp.room != nil {
					t := time.Now()
					err := sp.room(ctx, v)
					blocked += time.Since(t)
					if err != nil {
						return err
					}
				}
				d, err := send(ctx, out, v)
				blocked += d
				return err
			}
			for {
				t0 := time.Now()
				var x In
				select {
				case v, ok := <-in:
					if !ok {
						return end(nil)
					}
					x = v
				case <-ctx.Done():
					return end(ctx.Err())
				}
				t1 := time.Now()
				blocked = 0
				err := sp.do(ctx, x, emit)
				busy, wait := time.Since(t1)-blocked, t1.Sub(t0)+blocked
				if sp.readIsWork {
					busy, wait = busy+t1.Sub(t0), blocked
				}
				st.add(busy, wait)
				if err != nil {
					// The stage's own context ending stops the worker;
					// any other error (a write that failed) fails the
					// run, even when it comes during a stop.
					if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
						return end(ctx.Err())
					}
					return err
				}
			}
		})
	}
	gr.g.Go(func() error {
		wg.Wait()
		close(out)
		return nil
	})
	return out
}
