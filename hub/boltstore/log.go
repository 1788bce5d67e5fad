package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/tafel-ketenzorg/tafel/hub"
)

// File layout (bucket names):
//
//	cases/<case id>/log   8-byte big-endian seq → uvarint len(command id) | command id | data
//	cases/<case id>/cmds  command id → 8-byte first seq | 8-byte last seq
//	kv/<bucket>           key → 8-byte expiry (unix ns, 0 = never) | value
//	kvexp/<bucket>        8-byte expiry | key → empty  (index of the entries that expire)
//	logs/<name>           8-byte big-endian seq → data
var (
	bucketCases = []byte("cases")
	bucketKV    = []byte("kv")
	bucketKVExp = []byte("kvexp")
	bucketLogs  = []byte("logs")
	bucketLog   = []byte("log")
	bucketCmds  = []byte("cmds")
)

// followPage is how many records a follow reads per transaction while catching up.
const followPage = 512

func createTopBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketCases, bucketKV, bucketKVExp, bucketLogs} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// errNoEvents is returned by Append without events: an append must produce a record.
var errNoEvents = errors.New("boltstore: append needs at least one event")

// Append implements hub.Store. The transaction commits (and fsyncs) before Append returns.
func (s *Store) Append(ctx context.Context, caseID string, expected uint64, commandID string, events [][]byte) (hub.AppendResult, error) {
	if caseID == "" || commandID == "" {
		return hub.AppendResult{}, errors.New("boltstore: append needs a case id and a command id")
	}
	if len(events) == 0 {
		return hub.AppendResult{}, errNoEvents
	}
	var res hub.AppendResult
	err := s.update(ctx, func(tx *bolt.Tx) error {
		c, err := tx.Bucket(bucketCases).CreateBucketIfNotExists([]byte(caseID))
		if err != nil {
			return err
		}
		logB, err := c.CreateBucketIfNotExists(bucketLog)
		if err != nil {
			return err
		}
		cmds, err := c.CreateBucketIfNotExists(bucketCmds)
		if err != nil {
			return err
		}
		if v := cmds.Get([]byte(commandID)); v != nil {
			if len(v) != 16 {
				return fmt.Errorf("boltstore: corrupt command entry %q in case %q", commandID, caseID)
			}
			res = hub.AppendResult{First: binary.BigEndian.Uint64(v), Last: binary.BigEndian.Uint64(v[8:]), Duplicate: true}
			return nil
		}
		head := lastSeq(logB)
		if head != expected {
			return fmt.Errorf("boltstore: case %q is at %d, expected %d: %w", caseID, head, expected, hub.ErrConflict)
		}
		for i, data := range events {
			if err := logB.Put(seqKey(head+1+uint64(i)), encodeRecord(commandID, data)); err != nil {
				return err
			}
		}
		res = hub.AppendResult{First: head + 1, Last: head + uint64(len(events))}
		v := make([]byte, 16)
		binary.BigEndian.PutUint64(v, res.First)
		binary.BigEndian.PutUint64(v[8:], res.Last)
		return cmds.Put([]byte(commandID), v)
	})
	if err != nil {
		return hub.AppendResult{}, err
	}
	if !res.Duplicate {
		s.f.fan.wake(caseID)
	}
	return res, nil
}

// Read implements hub.Store.
func (s *Store) Read(ctx context.Context, caseID string, after uint64, limit int) ([]hub.Record, error) {
	var out []hub.Record
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		out, err = readRecords(tx, caseID, after, limit)
		return err
	})
	return out, err
}

// Head implements hub.Store.
func (s *Store) Head(ctx context.Context, caseID string) (uint64, error) {
	var head uint64
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if b := caseLog(tx, caseID); b != nil {
			head = lastSeq(b)
		}
		return nil
	})
	return head, err
}

// Follow implements hub.Store. The follow goroutine reads what is new after every commit to
// the case, so it delivers in order, without gaps or repeats, whichever Store of this file
// appended.
func (s *Store) Follow(ctx context.Context, caseID string, after uint64, deliver func([]hub.Record)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	woken, stop := s.f.fan.watch(caseID)
	err := s.start(func() {
		defer stop()
		last := after
		for {
			// Catch up until nothing is new, then wait for the next commit.
			for {
				var recs []hub.Record
				err := s.f.db.View(func(tx *bolt.Tx) error {
					var err error
					recs, err = readRecords(tx, caseID, last, followPage)
					return err
				})
				if err != nil || len(recs) == 0 {
					// A read fails only when the file is closing; the follow ends with it.
					break
				}
				if ctx.Err() != nil || s.isClosed() {
					return
				}
				deliver(recs)
				last = recs[len(recs)-1].Seq
				if len(recs) < followPage {
					break
				}
			}
			select {
			case <-woken:
			case <-ctx.Done():
				return
			case <-s.done:
				return
			}
		}
	})
	if err != nil {
		stop()
	}
	return err
}

func caseLog(tx *bolt.Tx, caseID string) *bolt.Bucket {
	c := tx.Bucket(bucketCases).Bucket([]byte(caseID))
	if c == nil {
		return nil
	}
	return c.Bucket(bucketLog)
}

func readRecords(tx *bolt.Tx, caseID string, after uint64, limit int) ([]hub.Record, error) {
	b := caseLog(tx, caseID)
	if b == nil {
		return nil, nil
	}
	var out []hub.Record
	cur := b.Cursor()
	for k, v := cur.Seek(seqKey(after + 1)); k != nil; k, v = cur.Next() {
		if limit > 0 && len(out) >= limit {
			break
		}
		seq := binary.BigEndian.Uint64(k)
		cmd, data, err := decodeRecord(v)
		if err != nil {
			return nil, fmt.Errorf("boltstore: record %d of case %q: %w", seq, caseID, err)
		}
		out = append(out, hub.Record{Seq: seq, CommandID: cmd, Data: data})
	}
	return out, nil
}

func lastSeq(b *bolt.Bucket) uint64 {
	k, _ := b.Cursor().Last()
	if k == nil {
		return 0
	}
	return binary.BigEndian.Uint64(k)
}

func seqKey(seq uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, seq)
	return k
}

func encodeRecord(commandID string, data []byte) []byte {
	v := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(commandID)+len(data)), uint64(len(commandID)))
	v = append(v, commandID...)
	return append(v, data...)
}

// decodeRecord copies the command id and data out of v, which bbolt owns.
func decodeRecord(v []byte) (string, []byte, error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return "", nil, errors.New("corrupt record")
	}
	cmd := string(v[w : w+int(n)])
	return cmd, bytes.Clone(v[w+int(n):]), nil
}
