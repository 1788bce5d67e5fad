package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/tafel-ketenzorg/tafel/hub"
	"github.com/tafel-ketenzorg/tafel/server/kv"
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

// Append implements hub.Store: AppendBatch with one command.
func (s *Store) Append(ctx context.Context, caseID string, expected uint64, commandID string, events [][]byte) (hub.AppendResult, error) {
	return hub.AppendOne(ctx, s, caseID, expected, commandID, events)
}

// AppendBatch implements hub.Store: one transaction (and, with group commit, often one fsync
// for several rooms) for every command of the batch. The transaction commits (and fsyncs)
// before AppendBatch returns.
func (s *Store) AppendBatch(ctx context.Context, caseID string, expected uint64, cmds []hub.Command) ([]hub.AppendResult, error) {
	if caseID == "" {
		return nil, errors.New("boltstore: append needs a case id")
	}
	alias, err := hub.BatchAliases(cmds)
	if err != nil {
		return nil, fmt.Errorf("boltstore: %w", err)
	}
	res := make([]hub.AppendResult, len(cmds))
	var appended bool
	err = s.update(ctx, func(tx *bolt.Tx) error {
		appended = false // the function may run more than once (see committer)
		return appendBatch(tx, caseID, expected, cmds, alias, res, &appended)
	})
	if err != nil {
		return nil, err
	}
	if appended {
		s.f.fan.wake(caseID)
	}
	return res, nil
}

// AppendBatchLogged implements hub.LogAppender: the batch's events and the log writes in one
// transaction, one group commit.
func (s *Store) AppendBatchLogged(ctx context.Context, caseID string, expected uint64, cmds []hub.Command, logs []kv.LogWrite) ([]hub.AppendResult, []bool, error) {
	if caseID == "" {
		return nil, nil, errors.New("boltstore: append needs a case id")
	}
	alias, err := hub.BatchAliases(cmds)
	if err != nil {
		return nil, nil, fmt.Errorf("boltstore: %w", err)
	}
	for _, w := range logs {
		if err := w.Check(); err != nil {
			return nil, nil, fmt.Errorf("boltstore: %w", err)
		}
	}
	res := make([]hub.AppendResult, len(cmds))
	written := make([]bool, len(logs))
	var appended bool
	err = s.update(ctx, func(tx *bolt.Tx) error {
		appended = false // the function may run more than once (see committer)
		clear(written)
		if err := appendBatch(tx, caseID, expected, cmds, alias, res, &appended); err != nil || !appended {
			return err
		}
		return writeLogs(tx, logs, written)
	})
	if err != nil {
		return nil, nil, err
	}
	if appended {
		s.f.fan.wake(caseID)
	}
	return res, written, nil
}

// writeLogs makes every log write of logs whose log is where it expects — or, with Relink,
// wherever it ends — and marks it written.
func writeLogs(tx *bolt.Tx, logs []kv.LogWrite, written []bool) error {
	for i, w := range logs {
		b, err := tx.Bucket(bucketLogs).CreateBucketIfNotExists([]byte(w.Name))
		if err != nil {
			return err
		}
		seq, entries := w.Seq, w.Entries
		if last := lastSeq(b); seq == 0 || last != seq-1 {
			if w.Relink == nil {
				continue
			}
			e := kv.Entry{Seq: last}
			if last > 0 {
				_, e.Data = b.Cursor().Last()
			}
			seq, entries = last+1, w.Relink(e)
			if len(entries) == 0 {
				continue
			}
		}
		for j, data := range entries {
			if err := b.Put(seqKey(seq+uint64(j)), data); err != nil {
				return err
			}
		}
		if err := b.SetSequence(seq + uint64(len(entries)) - 1); err != nil {
			return err
		}
		written[i] = true
	}
	return nil
}

// appendBatch is AppendBatch's transaction; it sets every result and whether it appended.
func appendBatch(tx *bolt.Tx, caseID string, expected uint64, cmds []hub.Command, alias []int, res []hub.AppendResult, appended *bool) error {
	c, err := tx.Bucket(bucketCases).CreateBucketIfNotExists([]byte(caseID))
	if err != nil {
		return err
	}
	logB, err := c.CreateBucketIfNotExists(bucketLog)
	if err != nil {
		return err
	}
	cmdsB, err := c.CreateBucketIfNotExists(bucketCmds)
	if err != nil {
		return err
	}
	dups, fresh := 0, 0
	for i, cmd := range cmds {
		if alias[i] != i {
			continue
		}
		v := cmdsB.Get([]byte(cmd.ID))
		if v == nil {
			fresh++
			continue
		}
		if len(v) != 16 {
			return fmt.Errorf("boltstore: corrupt command entry %q in case %q", cmd.ID, caseID)
		}
		res[i] = hub.AppendResult{First: binary.BigEndian.Uint64(v), Last: binary.BigEndian.Uint64(v[8:]), Duplicate: true}
		dups++
	}
	if fresh == 0 {
		hub.ResolveAliases(res, alias)
		return nil
	}
	head := lastSeq(logB)
	if head != expected {
		return fmt.Errorf("boltstore: case %q is at %d, expected %d: %w", caseID, head, expected, hub.ErrConflict)
	}
	if dups > 0 {
		return fmt.Errorf("boltstore: case %q: a batch mixes commands appended before with new ones: %w", caseID, hub.ErrConflict)
	}
	seq := head
	for i, cmd := range cmds {
		if alias[i] != i {
			continue
		}
		res[i] = hub.AppendResult{First: seq + 1, Last: seq + uint64(len(cmd.Events))}
		for _, data := range cmd.Events {
			seq++
			if err := logB.Put(seqKey(seq), encodeRecord(cmd.ID, data)); err != nil {
				return err
			}
		}
		v := make([]byte, 16)
		binary.BigEndian.PutUint64(v, res[i].First)
		binary.BigEndian.PutUint64(v[8:], res[i].Last)
		if err := cmdsB.Put([]byte(cmd.ID), v); err != nil {
			return err
		}
	}
	hub.ResolveAliases(res, alias)
	*appended = true
	return nil
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
