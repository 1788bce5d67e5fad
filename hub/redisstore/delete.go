package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// delScript deletes KEYS (one hash tag: one Cluster slot). A script, so that with replicas
// it runs with a WAIT after it (runConfirmed) like every other write.
var delScript = redis.NewScript(`return redis.call('DEL', unpack(KEYS))`)

// DeleteCase implements hub.Store: one DEL of the case's stream, command ids, sync key and
// presence keys. They share the hash tag {<case id>}, so this is one command in one Cluster
// slot; with replicas it returns once they confirmed it.
func (s *Store) DeleteCase(ctx context.Context, caseID string) error {
	if caseID == "" {
		return errors.New("redisstore: delete needs a case id")
	}
	if s.isClosed() {
		return errClosed
	}
	keys := []string{s.logKey(caseID), s.cmdsKey(caseID), s.syncKey(caseID), s.presenceKey(caseID), s.presenceDataKey(caseID)}
	_, err := s.runConfirmed(ctx, delScript, keys)
	return mapErr("delete case", err)
}

// DeleteBucket implements kv.Store: the bucket's hash and its expiry set (one hash tag).
func (s *Store) DeleteBucket(ctx context.Context, bucket string) error {
	if bucket == "" {
		return errors.New("redisstore: bucket must not be empty")
	}
	if s.isClosed() {
		return errClosed
	}
	_, err := s.runConfirmed(ctx, delScript, s.bucketKeys(bucket))
	return mapErr("delete bucket", err)
}

// luaLastSeq is the Lua prelude that sets last to the sequence of the last entry of the stream
// KEYS[1] (0 when it has none). Entries are "<seq>-0" and TrimLog keeps the last one, so this,
// not XLEN, is where the log goes on.
const luaLastSeq = `
local tail = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local last = 0
if #tail > 0 then
  last = tonumber(string.match(tail[1][1], '^(%d+)'))
end
`

// kvAppendLogAtScript: KEYS[1] the log's stream; ARGV[1] sequence, ARGV[2..] entries.
// Returns {1, last} after appending, {-1, last} when the log's last entry is not seq-1.
var kvAppendLogAtScript = redis.NewScript(luaLastSeq + `
if last + 1 ~= tonumber(ARGV[1]) then
  return {-1, last}
end
for i = 2, #ARGV do
  last = last + 1
  redis.call('XADD', KEYS[1], string.format('%d-0', last), 'd', ARGV[i])
end
return {1, last}
`)

// kvTrimLogScript: KEYS[1] the log's stream; ARGV[1] the last sequence to remove. The last
// entry always stays. Returns the number of entries removed.
var kvTrimLogScript = redis.NewScript(luaLastSeq + `
local through = tonumber(ARGV[1])
if last == 0 then
  return 0
end
if through >= last then
  through = last - 1
end
return redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d-0', through + 1))
`)

// AppendLogAt implements kv.Store.
func (s *Store) AppendLogAt(ctx context.Context, name string, seq uint64, entries [][]byte) error {
	if name == "" || seq == 0 || len(entries) == 0 {
		return errors.New("redisstore: append needs a log name, a sequence and entries")
	}
	if s.isClosed() {
		return errClosed
	}
	args := make([]any, 0, 1+len(entries))
	args = append(args, seq)
	for _, e := range entries {
		args = append(args, e)
	}
	v, err := s.runConfirmed(ctx, kvAppendLogAtScript, []string{s.kvLogKey(name)}, args...)
	reply, _ := v.([]any)
	if err != nil && len(reply) != 2 {
		return mapErr("append log at", err)
	}
	if len(reply) != 2 {
		return fmt.Errorf("redisstore: unexpected append reply %v", reply)
	}
	if status, _ := reply[0].(int64); status != 1 {
		last, _ := reply[1].(int64)
		return fmt.Errorf("redisstore: log %q is at %d, expected %d: %w", name, last, seq-1, kv.ErrConflict)
	}
	return mapErr("append log at", err) // appended; err says whether the replicas confirmed it
}

// LastLog implements kv.Store.
func (s *Store) LastLog(ctx context.Context, name string) (kv.Entry, error) {
	if s.isClosed() {
		return kv.Entry{}, errClosed
	}
	msgs, err := s.rdb.XRevRangeN(ctx, s.kvLogKey(name), "+", "-", 1).Result()
	if err != nil {
		return kv.Entry{}, mapErr("last log", err)
	}
	if len(msgs) == 0 {
		return kv.Entry{}, nil
	}
	seq, err := streamSeq(msgs[0].ID)
	data, ok := msgs[0].Values["d"].(string)
	if err != nil || !ok {
		return kv.Entry{}, fmt.Errorf("redisstore: log %q: bad entry %q", name, msgs[0].ID)
	}
	return kv.Entry{Seq: seq, Data: []byte(data)}, nil
}

// TrimLog implements kv.Store.
func (s *Store) TrimLog(ctx context.Context, name string, through uint64) error {
	if s.isClosed() {
		return errClosed
	}
	_, err := s.runConfirmed(ctx, kvTrimLogScript, []string{s.kvLogKey(name)}, through)
	return mapErr("trim log", err)
}
