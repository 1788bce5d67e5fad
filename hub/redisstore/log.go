package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/tafel-ketenzorg/tafel/hub"
)

// Keys of one case share the hash tag {<case id>}, so that they live in one Redis Cluster slot
// and one script may touch them all.
func (s *Store) caseKey(caseID, suffix string) string {
	return s.prefix + "{" + caseID + "}:" + suffix
}

func (s *Store) logKey(caseID string) string        { return s.caseKey(caseID, "log") }
func (s *Store) cmdsKey(caseID string) string       { return s.caseKey(caseID, "cmds") }
func (s *Store) eventsChannel(caseID string) string { return s.caseKey(caseID, "events") }

// readPage is how many records one XRANGE returns while catching up.
const readPage = 512

// appendScript appends the events of one command to a case log, exactly once.
//
//	KEYS[1] the case's stream, KEYS[2] the case's command-id hash
//	ARGV[1] expected sequence, ARGV[2] command id, ARGV[3] nonce of this call,
//	ARGV[4] the case's pub/sub channel, ARGV[5..] the events
//
// Returns {0, "first:last:nonce"} for a command id seen before (nothing appended),
// {-1, head} when the log's head is not the expected sequence (nothing appended), or
// {1, first, last} after appending. Stream ids are "<seq>-0", so XLEN is the head: entries are
// never deleted. The published message is decoded by decodeBatch.
var appendScript = redis.NewScript(`
local prev = redis.call('HGET', KEYS[2], ARGV[2])
if prev then
  return {0, prev}
end
local head = redis.call('XLEN', KEYS[1])
if head ~= tonumber(ARGV[1]) then
  return {-1, head}
end
local n = #ARGV - 4
local header = {string.format('%d %d %d', head + 1, n, #ARGV[2])}
local body = {ARGV[2]}
for i = 1, n do
  local data = ARGV[4 + i]
  redis.call('XADD', KEYS[1], string.format('%d-0', head + i), 'c', ARGV[2], 'd', data)
  header[#header + 1] = tostring(#data)
  body[#body + 1] = data
end
local first, last = head + 1, head + n
redis.call('HSET', KEYS[2], ARGV[2], string.format('%d:%d:%s', first, last, ARGV[3]))
redis.call('PUBLISH', ARGV[4], table.concat(header, ' ') .. '\n' .. table.concat(body))
return {1, first, last}
`)

// Append implements hub.Store. With appendfsync always, Redis has written the AOF to disk
// before the script's reply arrives. go-redis may send the script again after a dropped
// connection even when Redis ran it; the command-id check then returns the first run's
// result, and the nonce recognises it as this call's own, so the caller sees no duplicate.
func (s *Store) Append(ctx context.Context, caseID string, expected uint64, commandID string, events [][]byte) (hub.AppendResult, error) {
	if caseID == "" || commandID == "" {
		return hub.AppendResult{}, errors.New("redisstore: append needs a case id and a command id")
	}
	if len(events) == 0 {
		return hub.AppendResult{}, errors.New("redisstore: append needs at least one event")
	}
	if s.isClosed() {
		return hub.AppendResult{}, errClosed
	}
	nonce := rand.Text()
	args := make([]any, 0, 4+len(events))
	args = append(args, expected, commandID, nonce, s.eventsChannel(caseID))
	for _, e := range events {
		args = append(args, e)
	}
	reply, err := appendScript.Run(ctx, s.rdb, []string{s.logKey(caseID), s.cmdsKey(caseID)}, args...).Slice()
	if err != nil {
		return hub.AppendResult{}, mapErr("append", err)
	}
	return parseAppendReply(caseID, expected, nonce, reply)
}

func parseAppendReply(caseID string, expected uint64, nonce string, reply []any) (hub.AppendResult, error) {
	bad := fmt.Errorf("redisstore: unexpected append reply %v", reply)
	if len(reply) < 2 {
		return hub.AppendResult{}, bad
	}
	status, _ := reply[0].(int64)
	switch status {
	case 1:
		if len(reply) != 3 {
			return hub.AppendResult{}, bad
		}
		first, ok1 := reply[1].(int64)
		last, ok2 := reply[2].(int64)
		if !ok1 || !ok2 {
			return hub.AppendResult{}, bad
		}
		return hub.AppendResult{First: uint64(first), Last: uint64(last)}, nil
	case 0:
		prev, _ := reply[1].(string)
		parts := strings.SplitN(prev, ":", 3)
		if len(parts) != 3 {
			return hub.AppendResult{}, bad
		}
		first, err1 := strconv.ParseUint(parts[0], 10, 64)
		last, err2 := strconv.ParseUint(parts[1], 10, 64)
		if err1 != nil || err2 != nil {
			return hub.AppendResult{}, bad
		}
		// Our own nonce: an earlier attempt of this very call ran before its reply was lost.
		return hub.AppendResult{First: first, Last: last, Duplicate: parts[2] != nonce}, nil
	case -1:
		head, _ := reply[1].(int64)
		return hub.AppendResult{}, fmt.Errorf("redisstore: case %q is at %d, expected %d: %w", caseID, head, expected, hub.ErrConflict)
	}
	return hub.AppendResult{}, bad
}

// Read implements hub.Store.
func (s *Store) Read(ctx context.Context, caseID string, after uint64, limit int) ([]hub.Record, error) {
	if s.isClosed() {
		return nil, errClosed
	}
	var out []hub.Record
	for {
		count := int64(readPage)
		if limit > 0 && limit-len(out) < readPage {
			count = int64(limit - len(out))
		}
		msgs, err := s.rdb.XRangeN(ctx, s.logKey(caseID), streamID(after+1), "+", count).Result()
		if err != nil {
			return nil, mapErr("read", err)
		}
		for _, m := range msgs {
			r, err := decodeEntry(m)
			if err != nil {
				return nil, fmt.Errorf("redisstore: case %q: %w", caseID, err)
			}
			out = append(out, r)
			after = r.Seq
		}
		if int64(len(msgs)) < count || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
	}
}

// Head implements hub.Store.
func (s *Store) Head(ctx context.Context, caseID string) (uint64, error) {
	if s.isClosed() {
		return 0, errClosed
	}
	n, err := s.rdb.XLen(ctx, s.logKey(caseID)).Result()
	if err != nil {
		return 0, mapErr("head", err)
	}
	return uint64(n), nil
}

func streamID(seq uint64) string { return strconv.FormatUint(seq, 10) + "-0" }

// streamSeq is the sequence in a stream id "<seq>-0".
func streamSeq(id string) (uint64, error) {
	ms, rest, ok := strings.Cut(id, "-")
	seq, err := strconv.ParseUint(ms, 10, 64)
	if !ok || rest != "0" || err != nil || seq == 0 {
		return 0, fmt.Errorf("redisstore: stream entry with id %q", id)
	}
	return seq, nil
}

// decodeEntry turns a stream entry "<seq>-0" {c: command id, d: data} into a record.
func decodeEntry(m redis.XMessage) (hub.Record, error) {
	seq, err := streamSeq(m.ID)
	if err != nil {
		return hub.Record{}, err
	}
	cmd, ok1 := m.Values["c"].(string)
	data, ok2 := m.Values["d"].(string)
	if !ok1 || !ok2 {
		return hub.Record{}, fmt.Errorf("stream entry %q without command id or data", m.ID)
	}
	return hub.Record{Seq: seq, CommandID: cmd, Data: []byte(data)}, nil
}

// decodeBatch decodes the message appendScript publishes:
// "<first> <n> <len(cmd)> <len(data 1)> … <len(data n)>\n" + cmd + data 1 + … + data n.
func decodeBatch(payload string) ([]hub.Record, error) {
	header, body, ok := strings.Cut(payload, "\n")
	if !ok {
		return nil, errors.New("published batch without header")
	}
	fields := strings.Fields(header)
	if len(fields) < 3 {
		return nil, fmt.Errorf("published batch header %q", header)
	}
	nums := make([]uint64, len(fields))
	for i, f := range fields {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("published batch header %q", header)
		}
		nums[i] = n
	}
	first, n, cmdLen := nums[0], nums[1], nums[2]
	if uint64(len(fields)) != 3+n || n == 0 || first == 0 {
		return nil, fmt.Errorf("published batch header %q", header)
	}
	b := []byte(body)
	take := func(l uint64) ([]byte, error) {
		if uint64(len(b)) < l {
			return nil, errors.New("published batch shorter than its header")
		}
		out := b[:l:l]
		b = b[l:]
		return out, nil
	}
	cmd, err := take(cmdLen)
	if err != nil {
		return nil, err
	}
	recs := make([]hub.Record, n)
	for i := range recs {
		data, err := take(nums[3+i])
		if err != nil {
			return nil, err
		}
		recs[i] = hub.Record{Seq: first + uint64(i), CommandID: string(cmd), Data: data}
	}
	if len(b) != 0 {
		return nil, errors.New("published batch longer than its header")
	}
	return recs, nil
}
