package pipeline

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// parquetSink writes rows to a temporary Parquet file, zstd-compressed, in
// row groups of at most RowsPerRowGroup rows that are written out as they
// fill.
//
// The file's bytes depend only on its rows and metadata, not on how the
// rows were batched in calls to Write: rows are handed to the Parquet
// writer in chunks of writeChunkRows, and row groups close at fixed row
// counts, so two runs over the same input write the same file whatever
// their worker count (apart from MetaCreated).
type parquetSink struct {
	tmp    *tempFile
	w      *parquet.GenericWriter[Row]
	codec  *pageZstd
	buf    []Row // rows not yet handed to w, fewer than writeChunkRows
	failed error // the first Write error: the output would lack rows
	// stopped is recorded as MetaStopped on Close (see MarkStopped).
	stopped string
}

// writeChunkRows is how many rows the Parquet sink hands its writer at
// once; page boundaries follow these calls.
const writeChunkRows = 64

func newParquetSink(path string, opt SinkOptions) (Sink, error) {
	rowsPerGroup := int64(opt.RowsPerRowGroup)
	if rowsPerGroup == 0 {
		rowsPerGroup = DefaultRowsPerRowGroup
	}
	codec := &pageZstd{}
	options := []parquet.WriterOption{
		parquet.Compression(codec),
		parquet.MaxRowsPerRowGroup(rowsPerGroup),
	}
	meta := opt.metadata()
	for _, k := range sortedKeys(meta) {
		options = append(options, parquet.KeyValueMetadata(k, meta[k]))
	}
	tmp, err := createTemp(path)
	if err != nil {
		return nil, err
	}
	s := &parquetSink{tmp: tmp, w: parquet.NewGenericWriter[Row](tmp, options...), codec: codec}
	if opt.Append {
		if err := s.copyExisting(path, opt.metadata()); err != nil {
			s.Abort()
			return nil, err
		}
	}
	return s, nil
}

// copyExisting copies the rows of the Parquet file at path, if any, into the
// temporary file, row group by row group (a row group's compressed pages are
// copied as they are, without decoding), and keeps its key/value metadata
// unless set overrides it.
func (s *parquetSink) copyExisting(path string, set map[string]string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("resume %s: %w", path, err)
	}
	defer f.Close()
	pf, err := openParquet(f)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	if !parquet.EqualNodes(pf.Schema(), s.w.Schema()) {
		return fmt.Errorf("resume %s: its columns differ from this tagger's output schema (row schema %s; written by another version?): write to a new output, or move it away and run without --resume", path, OutputSchema)
	}
	kept := map[string]string{}
	for _, kv := range pf.Metadata().KeyValueMetadata {
		// A stopped run's mark goes: this run completes it, or marks it
		// again when it too is stopped.
		if _, ok := set[kv.Key]; !ok && kv.Key != MetaStopped {
			kept[kv.Key] = kv.Value
		}
	}
	for _, k := range sortedKeys(kept) {
		s.w.SetKeyValueMetadata(k, kept[k])
	}
	for i, rg := range pf.RowGroups() {
		if _, err := s.w.WriteRowGroup(rg); err != nil {
			return fmt.Errorf("resume %s: copy row group %d: %w", path, i, err)
		}
	}
	return nil
}

// Write implements Sink.
func (s *parquetSink) Write(rows []Row) error {
	if s.tmp.done {
		return errSinkClosed
	}
	if s.failed != nil {
		return s.failed
	}
	s.buf = append(s.buf, validUTF8Rows(rows)...)
	n := len(s.buf) / writeChunkRows * writeChunkRows
	if err := s.writeRows(s.buf[:n]); err != nil {
		return err
	}
	rest := copy(s.buf, s.buf[n:])
	clear(s.buf[rest:]) // drop references to written rows
	s.buf = s.buf[:rest]
	return nil
}

// writeRows hands rows to the Parquet writer in chunks of writeChunkRows
// (the last may be shorter).
func (s *parquetSink) writeRows(rows []Row) error {
	for len(rows) > 0 {
		n := min(len(rows), writeChunkRows)
		if _, err := s.w.Write(rows[:n]); err != nil {
			s.failed = fmt.Errorf("write %d rows to %s: %w", n, s.tmp.Name(), err)
			return s.failed
		}
		rows = rows[n:]
	}
	return nil
}

// Close implements Sink: it writes the footer, then commits the file. After
// a failed Write it aborts instead, so that the target never holds an output
// with rows missing.
func (s *parquetSink) Close() error {
	if s.tmp.done {
		return errSinkClosed
	}
	if s.failed != nil {
		s.Abort()
		return fmt.Errorf("output %s not written: %w", s.tmp.target, s.failed)
	}
	err := s.writeRows(s.buf)
	s.buf = nil
	if s.stopped != "" {
		s.w.SetKeyValueMetadata(MetaStopped, s.stopped)
	}
	if err == nil {
		err = s.w.Close()
	}
	s.codec.close()
	if err != nil {
		s.tmp.abort()
		return fmt.Errorf("finish Parquet output %s: %w (is the disk full?)", s.tmp.target, err)
	}
	return s.tmp.commit()
}

// Abort implements Sink.
func (s *parquetSink) Abort() error {
	s.codec.close()
	return s.tmp.abort()
}

// pageZstd is Parquet's ZSTD codec (what parquet.Zstd writes) with a 1 MB
// window, at zstd's fastest level. Pages are compressed one at a time and
// are smaller than 1 MB (parquet.DefaultPageBufferSize is 256 KiB), so the
// window loses nothing, but parquet.Zstd's default 8 MB window makes each
// encoder keep 16 MB of history: 32 MB of the heap in a measured run. The
// fastest level cost 3% less CPU than the default one in a run over 3,330
// real works, for a file 4.4% larger (1.90 MB against 1.82): the output is
// small beside its input. A pageZstd belongs to one sink, keeps one encoder
// and one decoder, and is safe for concurrent use.
type pageZstd struct {
	mu  sync.Mutex
	enc *zstd.Encoder
	dec *zstd.Decoder
}

// String implements compress.Codec.
func (c *pageZstd) String() string { return "ZSTD" }

// CompressionCodec implements compress.Codec.
func (c *pageZstd) CompressionCodec() format.CompressionCodec { return format.Zstd }

// Encode implements compress.Codec.
func (c *pageZstd) Encode(dst, src []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.enc == nil {
		enc, err := zstd.NewWriter(nil,
			zstd.WithEncoderConcurrency(1),
			zstd.WithWindowSize(1<<20),
			zstd.WithLowerEncoderMem(true),
			zstd.WithZeroFrames(true),
			zstd.WithEncoderCRC(false),
			zstd.WithEncoderLevel(zstd.SpeedFastest),
		)
		if err != nil {
			return dst[:0], fmt.Errorf("zstd encoder: %w", err)
		}
		c.enc = enc
	}
	return c.enc.EncodeAll(src, dst[:0]), nil
}

// Decode implements compress.Codec.
func (c *pageZstd) Decode(dst, src []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dec == nil {
		dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return dst[:0], fmt.Errorf("zstd decoder: %w", err)
		}
		c.dec = dec
	}
	return c.dec.DecodeAll(src, dst[:0])
}

// close releases the encoder and decoder.
func (c *pageZstd) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.enc != nil {
		c.enc.Close()
		c.enc = nil
	}
	if c.dec != nil {
		c.dec.Close()
		c.dec = nil
	}
}

// openParquet opens f as a Parquet file.
func openParquet(f *os.File) (*parquet.File, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s is not a readable Parquet file: %w", f.Name(), err)
	}
	return pf, nil
}

// readParquetIDs adds the id column of the Parquet file f to ids, reading
// no other column.
func readParquetIDs(f *os.File, ids *idSetBuilder) error {
	pf, err := openParquet(f)
	if err != nil {
		return fmt.Errorf("read finished stories: %w", err)
	}
	leaf, ok := pf.Schema().Lookup("id")
	if !ok || leaf.Node.Type().Kind() != parquet.ByteArray || leaf.MaxRepetitionLevel != 0 {
		return fmt.Errorf("read finished stories: %s has no string column \"id\": it is not a tagger output", f.Name())
	}
	type idOnly struct {
		ID string `parquet:"id"`
	}
	r := parquet.NewGenericReader[idOnly](pf)
	defer r.Close()
	ids.hashes = slices.Grow(ids.hashes, int(pf.NumRows()))
	buf := make([]idOnly, 1024)
	var read int64
	for {
		n, err := r.Read(buf)
		read += int64(n)
		for _, row := range buf[:n] {
			ids.add(row.ID)
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read finished stories from %s: %w", f.Name(), err)
		}
		if err == io.EOF || n == 0 {
			break
		}
	}
	if read != pf.NumRows() {
		return fmt.Errorf("read finished stories from %s: read %d ids but the file has %d rows", f.Name(), read, pf.NumRows())
	}
	return nil
}

// readParquetRows reads every row of the Parquet file f.
func readParquetRows(f *os.File) ([]Row, error) {
	pf, err := openParquet(f)
	if err != nil {
		return nil, fmt.Errorf("read rows: %w", err)
	}
	if !parquet.EqualNodes(pf.Schema(), parquet.SchemaOf(Row{})) {
		return nil, fmt.Errorf("read rows: %s does not have tagger's output schema", f.Name())
	}
	r := parquet.NewGenericReader[Row](pf)
	defer r.Close()
	rows := make([]Row, pf.NumRows())
	read := 0
	for read < len(rows) {
		n, err := r.Read(rows[read:])
		read += n
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("read rows from %s: %w", f.Name(), err)
		}
		if err == io.EOF || n == 0 {
			break
		}
	}
	if read != len(rows) {
		return nil, fmt.Errorf("read rows from %s: read %d of its %d rows", f.Name(), read, len(rows))
	}
	return rows, nil
}

// readParquetSources calls add with the source, id and error columns of every
// row of the Parquet file f, reading no other column.
func readParquetSources(f *os.File, add func(source, id string, err *string)) error {
	pf, err := openParquet(f)
	if err != nil {
		return fmt.Errorf("read finished stories: %w (move it away, or run without --resume)", err)
	}
	leaf, ok := pf.Schema().Lookup("source")
	if !ok || leaf.Node.Type().Kind() != parquet.ByteArray || leaf.MaxRepetitionLevel != 0 {
		return fmt.Errorf("read finished stories: %s has no string column \"source\": it is not a tagger output", f.Name())
	}
	type sourceOnly struct {
		ID     string  `parquet:"id"`
		Source string  `parquet:"source"`
		Error  *string `parquet:"error,optional"`
	}
	r := parquet.NewGenericReader[sourceOnly](pf)
	defer r.Close()
	buf := make([]sourceOnly, 1024)
	var read int64
	for {
		n, err := r.Read(buf)
		read += int64(n)
		for _, row := range buf[:n] {
			add(row.Source, row.ID, row.Error)
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read finished stories from %s: %w", f.Name(), err)
		}
		if err == io.EOF || n == 0 {
			break
		}
	}
	if read != pf.NumRows() {
		return fmt.Errorf("read finished stories from %s: read %d sources but the file has %d rows", f.Name(), read, pf.NumRows())
	}
	return nil
}
