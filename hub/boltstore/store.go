// Package boltstore is the embedded store: the case logs of the hub (hub.Store) and the server's
// key-value data (kv.Store) in one local bbolt file, with in-process fan-out for Follow and
// Publish/Subscribe. It is the default backend: one instance, no setup.
//
// Every write is committed, and the file fsynced, before the call returns; writes that arrive
// while a commit is under way share the next one (group commit).
// A process holds one bbolt handle per file: opening the same path twice returns two Store
// values that share the handle and the fan-out, so that they behave like two instances on one
// backend; the file is closed when the last of them is closed.
package boltstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/server/kv"
)

var (
	_ hub.Store = (*Store)(nil)
	_ kv.Store  = (*Store)(nil)
)

// errClosed is returned (wrapping hub.ErrUnavailable) by calls on a closed Store.
var errClosed = fmt.Errorf("boltstore: store is closed: %w", hub.ErrUnavailable)

// openTimeout bounds the wait for the file lock held by another process.
const openTimeout = 5 * time.Second

// Store is a handle on one bbolt file. It implements hub.Store and kv.Store and is safe for
// concurrent use. Create it with Open; release it with Close.
type Store struct {
	f *file

	mu      sync.Mutex
	closed  bool
	done    chan struct{}  // closed by Close: ends this Store's follows and subscriptions
	workers sync.WaitGroup // follow and subscription goroutines of this Store
}

// file is one open bbolt database shared by every Store of this process on the same path.
type file struct {
	path string
	db   *bolt.DB
	w    *committer // every read-write transaction goes through it
	refs int        // guarded by filesMu

	fan      *fanout
	presence *presenceTable
}

var (
	filesMu sync.Mutex
	files   = map[string]*file{}
)

// initialMmapSize is the address space mapped at open (not memory: pages are read in as they
// are used). A file that grows within it never has to be remapped, and a remap blocks every
// reader until the writer is done.
const initialMmapSize = 1 << 30

// boltOptions: the freelist is not written on every commit but rebuilt when the file is
// opened (one write less per commit; durability is unchanged, since the data and meta pages
// are still fsynced), and kept in a hash map, which stays fast when the file fragments.
func boltOptions() *bolt.Options {
	return &bolt.Options{Timeout: openTimeout, NoFreelistSync: true, FreelistType: bolt.FreelistMapType,
		InitialMmapSize: initialMmapSize}
}

// Open opens the bbolt file at path, creating it (and its directory) when missing, and
// returns a Store on it. Opening a path this process already has open shares that handle.
func Open(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("boltstore: resolve %q: %w", path, err)
	}
	filesMu.Lock()
	defer filesMu.Unlock()
	f := files[abs]
	if f == nil {
		if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
			return nil, fmt.Errorf("boltstore: create directory of %q: %w", abs, err)
		}
		db, err := bolt.Open(abs, 0o600, boltOptions())
		if err != nil {
			return nil, fmt.Errorf("boltstore: open %q: %w", abs, err)
		}
		if err := db.Update(createTopBuckets); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("boltstore: prepare %q: %w", abs, err)
		}
		f = &file{path: abs, db: db, w: newCommitter(db), fan: newFanout(), presence: newPresenceTable()}
		files[abs] = f
	}
	f.refs++
	return &Store{f: f, done: make(chan struct{})}, nil
}

// Close ends this Store's follows and subscriptions, waits for their goroutines, and closes
// the file when no other Store of this process uses it. Closing twice is harmless. Close must
// not be called from a deliver or subscription callback of the same Store.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	s.workers.Wait()

	filesMu.Lock()
	defer filesMu.Unlock()
	s.f.refs--
	if s.f.refs > 0 {
		return nil
	}
	delete(files, s.f.path)
	s.f.w.stop()
	if err := s.f.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close %q: %w", s.f.path, err)
	}
	return nil
}

// Ping reports whether the store is open and its file readable.
func (s *Store) Ping(ctx context.Context) error {
	return s.view(ctx, func(*bolt.Tx) error { return nil })
}

// start runs fn in a goroutine that Close waits for. It fails when the Store is closed.
func (s *Store) start(fn func()) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		fn()
	}()
	return nil
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// view runs a read-only transaction.
func (s *Store) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.isClosed() {
		return errClosed
	}
	return mapBoltErr(s.f.db.View(fn))
}

// update runs a read-write transaction; its commit fsyncs before update returns. Concurrent
// updates share commits (see committer), so fn may run more than once.
func (s *Store) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.isClosed() {
		return errClosed
	}
	return mapBoltErr(s.f.w.update(fn))
}

// mapBoltErr turns bbolt's "database not open" into hub.ErrUnavailable.
func mapBoltErr(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("boltstore: %w: %w", err, hub.ErrUnavailable)
	}
	return err
}
