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
func (s *Store) syncKey(caseID string) string       { return s.caseKey(caseID, "sync") }
func (s *Store) cmdsKey(caseID string) string       { return s.caseKey(caseID, "cmds") }
func (s *Store) eventsChannel(caseID string) string { return s.caseKey(caseID, "events") }

// readPage is how many records one XRANGE returns while catching up.
const readPage = 512

// appendScriptSource appends the events of one command to a case log, exactly once, and
// publishes them with PUBLISHCMD.
//
//	KEYS[1] the case's stream, KEYS[2] the case's command-id hash, KEYS[3] the case's channel
//	ARGV[1] expected sequence, ARGV[2] command id, ARGV[3] nonce of this call, ARGV[4..] the events
//
// Returns {0, "first:last:nonce"} for a command id seen before (nothing appended),
// {-1, head} when the log's head is not the expected sequence (nothing appended), or
// {1, first, last} after appending. Stream ids are "<seq>-0", so XLEN is the head: entries are
// never deleted. The published message is decoded by decodeBatch.
//
// A command id seen before is written again with the same value: a write of this connection
// that follows the original append in the replication stream, so that a WAIT after the script
// confirms that the original append reached the replicas (WAIT counts only the writes of its
// own connection).
const appendScriptSource = `
local prev = redis.call('HGET', KEYS[2], ARGV[2])
if prev then
  redis.call('HSET', KEYS[2], ARGV[2], prev)
  return {0, prev}
end
local head = redis.call('XLEN', KEYS[1])
if head ~= tonumber(ARGV[1]) then
  return {-1, head}
end
local n = #ARGV - 3
local header = {string.format('%d %d %d', head + 1, n, #ARGV[2])}
local body = {ARGV[2]}
for i = 1, n do
  local data = ARGV[3 + i]
  redis.call('XADD', KEYS[1], string.format('%d-0', head + i), 'c', ARGV[2], 'd', data)
  header[#header + 1] = tostring(#data)
  body[#body + 1] = data
end
local first, last = head + 1, head + n
redis.call('HSET', KEYS[2], ARGV[2], string.format('%d:%d:%s', first, last, ARGV[3]))
local batch = table.concat(header, ' ') .. '\n' .. table.concat(body)
PUBLISHCALL
return {1, first, last}
`

var (
	// appendScript publishes on the classic pub/sub bus.
	appendScript = redis.NewScript(strings.Replace(appendScriptSource, "PUBLISHCALL", "redis.call('PUBLISH', KEYS[3], batch)", 1))
	// appendScriptSharded publishes on the sharded bus of the case's node (SPUBLISH).
	appendScriptSharded = redis.NewScript(strings.Replace(appendScriptSource, "PUBLISHCALL", "redis.call('SPUBLISH', KEYS[3], batch)", 1))
	// appendScriptQuiet publishes nothing and returns the batch as a fourth element: when
	// appends wait for replicas, the Store publishes only once a replica confirmed them.
	appendScriptQuiet = redis.NewScript(strings.Replace(appendScriptSource, "PUBLISHCALL\nreturn {1, first, last}", "return {1, first, last, batch}", 1))
)

// syncScript confirms, with a WAIT after it, everything the primary holds of a case: it writes
// the case's sync key (a write of this connection, after every earlier write in the
// replication stream) and returns the log's head.
//
//	KEYS[1] the case's stream, KEYS[2] the case's sync key.
var syncScript = redis.NewScript(`
redis.call('SET', KEYS[2], '1')
return redis.call('XLEN', KEYS[1])
`)

// syncPrefixMsg starts the message "sync <head>" the Store publishes on a case's channel when it
// confirmed the log up to head without publishing its records (see Store.sync): followers
// that hold less catch up by reading.
const syncMsgPrefix = "sync "

// confirmScript rewrites a command id's entry with its value (see appendScriptSource) so that
// a WAIT after it confirms the command's records reached the replicas.
//
//	KEYS[1] the case's command-id hash; ARGV[1] command id. Returns 1, or 0 when unknown.
var confirmScript = redis.NewScript(`
local prev = redis.call('HGET', KEYS[1], ARGV[1])
if not prev then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], prev)
return 1
`)

// errNotConfirmed: the write is on the primary, but too few replicas confirmed it in time.
var errNotConfirmed = fmt.Errorf("redisstore: stored on the primary but not confirmed by a replica in time: %w", hub.ErrUnavailable)

// Append implements hub.Store. With appendfsync always, Redis has written the AOF to disk
// before the script's reply arrives; with Options.Replicas, the script and a WAIT go in one
// round trip on one connection and the append is returned only once enough replicas have it
// (else ErrUnavailable: sent again with the same command id, it is applied once). go-redis may
// send the script again after a dropped connection even when Redis ran it; the command-id
// check then returns the first run's result, and the nonce recognises it as this call's own,
// so the caller sees no duplicate.
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
	args := make([]any, 0, 3+len(events))
	args = append(args, expected, commandID, nonce)
	for _, e := range events {
		args = append(args, e)
	}
	keys := []string{s.logKey(caseID), s.cmdsKey(caseID), s.eventsChannel(caseID)}
	script := s.script
	if s.replicas > 0 {
		script = appendScriptQuiet
	}
	reply, err := s.runConfirmed(ctx, script, keys, args...)
	if err != nil && !errors.Is(err, errNotConfirmed) {
		return hub.AppendResult{}, mapErr("append", err)
	}
	var batch string
	if r, ok := reply.([]any); ok && len(r) == 4 {
		batch, _ = r[3].(string)
		reply = r[:3]
	}
	res, perr := parseAppendReply(caseID, expected, nonce, reply)
	if errors.Is(perr, hub.ErrConflict) {
		if s.replicas > 0 {
			// Records beyond expected may be on the primary unconfirmed (their append's WAIT
			// timed out) and so never published: confirm and announce them, so that the
			// caller's follow catches up and its retry can succeed.
			if _, serr := s.sync(ctx, caseID); serr != nil {
				s.log.Warn("cannot confirm the log after a conflict", "case", caseID, "err", serr)
			}
		}
		return hub.AppendResult{}, perr // a conflict wrote nothing: nothing to confirm
	}
	if perr != nil && err == nil {
		return hub.AppendResult{}, perr
	}
	if err != nil {
		return hub.AppendResult{}, fmt.Errorf("redisstore: append to case %q: %w", caseID, err)
	}
	if s.replicas > 0 {
		// Confirmed by a replica: only now may followers see it.
		msg := batch
		if msg == "" { // a duplicate: its records are in the log; followers read them
			msg = syncMsgPrefix + strconv.FormatUint(res.Last, 10)
		}
		if perr := s.rdb.Publish(ctx, s.eventsChannel(caseID), msg).Err(); perr != nil {
			// The append stands; followers catch up at the next message or reconnect.
			s.log.Warn("cannot publish a confirmed append", "case", caseID, "err", perr)
		}
	}
	return res, nil
}

// sync confirms that a replica has everything the primary holds of caseID (a write of the
// case's sync key and WAIT) and returns the head it confirmed; it then publishes
// "sync <head>" so that followers holding less catch up. Only when the Store waits for
// replicas.
func (s *Store) sync(ctx context.Context, caseID string) (uint64, error) {
	reply, err := s.runConfirmed(ctx, syncScript, []string{s.logKey(caseID), s.syncKey(caseID)})
	if err != nil {
		return 0, mapErr("confirm the log", err)
	}
	head, ok := reply.(int64)
	if !ok || head < 0 {
		return 0, fmt.Errorf("redisstore: unexpected sync reply %v", reply)
	}
	if head > 0 {
		if err := s.rdb.Publish(ctx, s.eventsChannel(caseID), syncMsgPrefix+strconv.FormatInt(head, 10)).Err(); err != nil {
			s.log.Warn("cannot announce a confirmed log", "case", caseID, "err", err)
		}
	}
	return uint64(head), nil
}

// Confirm implements hub.Confirmer: with Options.Replicas it returns once enough replicas
// have the records of commandID (appended before, by any instance), and ErrUnavailable when
// they do not confirm in time. Without replicas to wait for it returns at once.
func (s *Store) Confirm(ctx context.Context, caseID, commandID string) error {
	if s.replicas == 0 {
		return nil
	}
	if s.isClosed() {
		return errClosed
	}
	reply, err := s.runConfirmed(ctx, confirmScript, []string{s.cmdsKey(caseID)}, commandID)
	if err != nil {
		return mapErr("confirm", err)
	}
	if n, _ := reply.(int64); n != 1 {
		// The instance applied a record that this Redis does not have: it was lost in a
		// failover before any replica had it (it was never acknowledged).
		return fmt.Errorf("redisstore: command %q of case %q is not in the log", commandID, caseID)
	}
	return nil
}

// runConfirmed runs script and, when the Store waits for replicas, WAIT on the same connection
// in one round trip (WAIT counts the replicas that have every write of its connection). It
// returns the script's reply, and errNotConfirmed (with the reply) when too few replicas
// confirmed in time.
func (s *Store) runConfirmed(ctx context.Context, script *redis.Script, keys []string, args ...any) (any, error) {
	if s.replicas == 0 {
		return script.Run(ctx, s.rdb, keys, args...).Result()
	}
	run := func(eval func(redis.Pipeliner) *redis.Cmd) (*redis.Cmd, *redis.Cmd, error) {
		pipe := s.rdb.Pipeline()
		cmd := eval(pipe)
		wait := pipe.Do(ctx, "WAIT", s.replicas, s.replicaTimeout.Milliseconds())
		_, err := pipe.Exec(ctx)
		return cmd, wait, err
	}
	cmd, wait, err := run(func(p redis.Pipeliner) *redis.Cmd { return script.EvalSha(ctx, p, keys, args...) })
	if redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
		cmd, wait, err = run(func(p redis.Pipeliner) *redis.Cmd { return script.Eval(ctx, p, keys, args...) })
	}
	if cmd.Err() != nil {
		return nil, cmd.Err()
	}
	if err != nil {
		return nil, err
	}
	if n, _ := wait.Val().(int64); n < int64(s.replicas) {
		return cmd.Val(), errNotConfirmed
	}
	return cmd.Val(), nil
}

func parseAppendReply(caseID string, expected uint64, nonce string, v any) (hub.AppendResult, error) {
	reply, _ := v.([]any)
	bad := fmt.Errorf("redisstore: unexpected append reply %v", v)
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

// Read implements hub.Store. When appends wait for replicas it returns only records a replica
// has: it first confirms the log (see sync) and reads up to the head it confirmed.
func (s *Store) Read(ctx context.Context, caseID string, after uint64, limit int) ([]hub.Record, error) {
	if s.isClosed() {
		return nil, errClosed
	}
	upto := uint64(0)
	if s.replicas > 0 {
		head, err := s.sync(ctx, caseID)
		if err != nil {
			return nil, err
		}
		if head <= after {
			return nil, nil
		}
		upto = head
	}
	return s.readUpTo(ctx, caseID, after, upto, limit)
}

// readUpTo reads like Read, but only records up to upto (0: all).
func (s *Store) readUpTo(ctx context.Context, caseID string, after, upto uint64, limit int) ([]hub.Record, error) {
	end := "+"
	if upto > 0 {
		if upto <= after {
			return nil, nil
		}
		end = streamID(upto)
	}
	var out []hub.Record
	for {
		count := int64(readPage)
		if limit > 0 && limit-len(out) < readPage {
			count = int64(limit - len(out))
		}
		msgs, err := s.rdb.XRangeN(ctx, s.logKey(caseID), streamID(after+1), end, count).Result()
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

// Head implements hub.Store. When appends wait for replicas it is the head a replica has
// confirmed (see sync).
func (s *Store) Head(ctx context.Context, caseID string) (uint64, error) {
	if s.isClosed() {
		return 0, errClosed
	}
	if s.replicas > 0 {
		return s.sync(ctx, caseID)
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
