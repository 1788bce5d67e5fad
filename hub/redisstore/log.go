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
	"github.com/tafel-ketenzorg/tafel/server/kv"
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

// appendScriptSource appends the events of a batch of commands to a case log, exactly once
// per command id, and publishes them with PUBLISHCALL.
//
//	KEYS[1] the case's stream, KEYS[2] the case's command-id hash, KEYS[3] the case's channel
//	ARGV[1] expected sequence, ARGV[2] nonce of this call, ARGV[3] n, the number of commands,
//	ARGV[4 … 3+n] their ids (distinct), ARGV[4+n … 3+2n] how many events each has,
//	ARGV[4+2n …] the events of every command, in order
//
// Returns {0, "first:last:nonce" …} (one per command) when every command id was seen before
// (nothing appended), {-1, head} when the log's head is not the expected sequence, {-2, head}
// when some ids were seen before and others not (nothing appended), or
// {1, batch, first 1, last 1, …} after appending. Stream ids are "<seq>-0", so XLEN is the
// head: entries are never deleted. The published message (one segment per command) is
// decoded by decodeBatch; batch is "" unless the script is the quiet one.
//
// With log writes (AppendBatchLogged), KEYS[4 …] are the streams of KV logs and ARGV goes on
// after the events with the number of writes and, per write, its sequence, its number of
// entries and the entries. A write is made only with an append, and only when its log's last
// entry is the one before its sequence; every reply then ends with one flag per write, 1 when
// the write is in its log (made now, or found there: the same entries at the same place, the
// reply of an earlier run of this call lost), else 0.
//
// A command id seen before is written again with the same value: a write of this connection
// that follows the original append in the replication stream, so that a WAIT after the script
// confirms that the original append reached the replicas (WAIT counts only the writes of its
// own connection).
const appendScriptSource = `
local n = tonumber(ARGV[3])
local o = 3 + 2 * n
for c = 1, n do
  o = o + tonumber(ARGV[3 + n + c])
end
local nlogs = tonumber(ARGV[o + 1] or '0')
local function logs(out, write)
  local p = o + 1
  for j = 1, nlogs do
    local key = KEYS[3 + j]
    local seq = tonumber(ARGV[p + 1])
    local k = tonumber(ARGV[p + 2])
    local tail = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)
    local last = 0
    if #tail > 0 then
      last = tonumber(string.match(tail[1][1], '^(%d+)'))
    end
    local ok = 0
    if write and last + 1 == seq then
      for i = 1, k do
        redis.call('XADD', key, string.format('%d-0', seq + i - 1), 'd', ARGV[p + 2 + i])
      end
      ok = 1
    elseif last >= seq + k - 1 then
      local id = string.format('%d-0', seq + k - 1)
      local got = redis.call('XRANGE', key, id, id)
      if #got == 1 and got[1][2][2] == ARGV[p + 2 + k] then
        ok = 1
      end
    end
    out[#out + 1] = ok
    p = p + 2 + k
  end
  return out
end
local prevs = {0}
local dups = 0
for i = 1, n do
  local prev = redis.call('HGET', KEYS[2], ARGV[3 + i])
  if prev then
    dups = dups + 1
    prevs[i + 1] = prev
  end
end
if dups == n then
  for i = 1, n do
    redis.call('HSET', KEYS[2], ARGV[3 + i], prevs[i + 1])
  end
  return logs(prevs, false)
end
local head = redis.call('XLEN', KEYS[1])
if head ~= tonumber(ARGV[1]) then
  return logs({-1, head}, false)
end
if dups > 0 then
  return logs({-2, head}, false)
end
local out = {1, ''}
local msg = {}
local seq = head
local e = 3 + 2 * n
for c = 1, n do
  local id = ARGV[3 + c]
  local k = tonumber(ARGV[3 + n + c])
  local header = {string.format('%d %d %d', seq + 1, k, #id)}
  local body = {id}
  for i = 1, k do
    local data = ARGV[e + i]
    redis.call('XADD', KEYS[1], string.format('%d-0', seq + i), 'c', id, 'd', data)
    header[#header + 1] = tostring(#data)
    body[#body + 1] = data
  end
  e = e + k
  redis.call('HSET', KEYS[2], id, string.format('%d:%d:%s', seq + 1, seq + k, ARGV[2]))
  out[#out + 1] = seq + 1
  out[#out + 1] = seq + k
  seq = seq + k
  msg[#msg + 1] = table.concat(header, ' ') .. '\n' .. table.concat(body)
end
local batch = table.concat(msg)
PUBLISHCALL
return logs(out, true)
`

var (
	// appendScript publishes on the classic pub/sub bus.
	appendScript = redis.NewScript(strings.Replace(appendScriptSource, "PUBLISHCALL", "redis.call('PUBLISH', KEYS[3], batch)", 1))
	// appendScriptSharded publishes on the sharded bus of the case's node (SPUBLISH).
	appendScriptSharded = redis.NewScript(strings.Replace(appendScriptSource, "PUBLISHCALL", "redis.call('SPUBLISH', KEYS[3], batch)", 1))
	// appendScriptQuiet publishes nothing and returns the batch as the reply's second element:
	// when appends wait for replicas, the Store publishes only once a replica confirmed them.
	appendScriptQuiet = redis.NewScript(strings.Replace(appendScriptSource, "PUBLISHCALL", "out[2] = batch", 1))
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

// Append implements hub.Store: AppendBatch with one command.
func (s *Store) Append(ctx context.Context, caseID string, expected uint64, commandID string, events [][]byte) (hub.AppendResult, error) {
	return hub.AppendOne(ctx, s, caseID, expected, commandID, events)
}

// AppendBatch implements hub.Store: one script, one round trip, for the whole batch. With
// appendfsync always, Redis has written the AOF to disk before the script's reply arrives; with
// Options.Replicas, the script and a WAIT go in one round trip on one connection and the
// append is returned only once enough replicas have it (else ErrUnavailable: sent again with
// the same command ids, it is applied once). go-redis may send the script again after a
// dropped connection even when Redis ran it; the command-id check then returns the first run's
// result, and the nonce recognises it as this call's own, so the caller sees no duplicate.
func (s *Store) AppendBatch(ctx context.Context, caseID string, expected uint64, cmds []hub.Command) ([]hub.AppendResult, error) {
	res, _, err := s.appendBatch(ctx, caseID, expected, cmds, nil)
	return res, err
}

// AppendBatchLogged implements hub.LogAppender: the log writes go in the append script, with
// the events, in the same round trip. On a Cluster a script may not touch keys of several
// slots: the events are appended alone there, and no write is made (the caller writes them).
func (s *Store) AppendBatchLogged(ctx context.Context, caseID string, expected uint64, cmds []hub.Command, logs []kv.LogWrite) ([]hub.AppendResult, []bool, error) {
	// A script cannot link entries (SHA-256): only the writes at a sequence go in.
	var at []kv.LogWrite
	var where []int
	for i, w := range logs {
		if err := w.Check(); err != nil {
			return nil, nil, fmt.Errorf("redisstore: %w", err)
		}
		if w.Seq > 0 && len(w.Entries) > 0 {
			at, where = append(at, w), append(where, i)
		}
	}
	written := make([]bool, len(logs))
	if s.cluster != nil {
		res, err := s.AppendBatch(ctx, caseID, expected, cmds)
		return res, written, err
	}
	res, made, err := s.appendBatch(ctx, caseID, expected, cmds, at)
	for k, i := range where {
		written[i] = err == nil && made[k]
	}
	return res, written, err
}

// appendBatch runs the append script for cmds and the log writes logs.
func (s *Store) appendBatch(ctx context.Context, caseID string, expected uint64, cmds []hub.Command, logs []kv.LogWrite) ([]hub.AppendResult, []bool, error) {
	if caseID == "" {
		return nil, nil, errors.New("redisstore: append needs a case id")
	}
	alias, err := hub.BatchAliases(cmds)
	if err != nil {
		return nil, nil, fmt.Errorf("redisstore: %w", err)
	}
	if s.isClosed() {
		return nil, nil, errClosed
	}
	nonce := rand.Text()
	args, firsts := batchArgs(expected, nonce, cmds, alias)
	keys := []string{s.logKey(caseID), s.cmdsKey(caseID), s.eventsChannel(caseID)}
	if len(logs) > 0 {
		args = append(args, len(logs))
		for _, w := range logs {
			keys = append(keys, s.kvLogKey(w.Name))
			args = append(args, w.Seq, len(w.Entries))
			for _, e := range w.Entries {
				args = append(args, e)
			}
		}
	}
	script := s.script
	if s.replicas > 0 {
		script = appendScriptQuiet
	}
	v, err := s.runConfirmed(ctx, script, keys, args...)
	if err != nil && !errors.Is(err, errNotConfirmed) {
		return nil, nil, mapErr("append", err)
	}
	reply, written := splitLogFlags(v, len(logs))
	got, batch, perr := parseAppendReply(caseID, expected, nonce, len(firsts), reply)
	if errors.Is(perr, hub.ErrConflict) {
		if s.replicas > 0 {
			// Records beyond expected may be on the primary unconfirmed (their append's WAIT
			// timed out) and so never published: confirm and announce them, so that the
			// caller's follow catches up and its retry can succeed.
			if _, serr := s.sync(ctx, caseID); serr != nil {
				s.log.Warn("cannot confirm the log after a conflict", "case", caseID, "err", serr)
			}
		}
		return nil, nil, perr // a conflict wrote nothing: nothing to confirm
	}
	if perr != nil && err == nil {
		return nil, nil, perr
	}
	if err != nil {
		return nil, nil, fmt.Errorf("redisstore: append to case %q: %w", caseID, err)
	}
	res := make([]hub.AppendResult, len(cmds))
	for k, i := range firsts {
		res[i] = got[k]
	}
	hub.ResolveAliases(res, alias)
	if s.replicas > 0 {
		// Confirmed by a replica: only now may followers see it.
		msg := batch
		if msg == "" { // duplicates: their records are in the log; followers read them
			msg = syncMsgPrefix + strconv.FormatUint(maxLast(got), 10)
		}
		if perr := s.rdb.Publish(ctx, s.eventsChannel(caseID), msg).Err(); perr != nil {
			// The append stands; followers catch up at the next message or reconnect.
			s.log.Warn("cannot publish a confirmed append", "case", caseID, "err", perr)
		}
	}
	return res, written, nil
}

// splitLogFlags takes the n log-write flags off the end of the append script's reply v.
func splitLogFlags(v any, n int) (any, []bool) {
	written := make([]bool, n)
	reply, ok := v.([]any)
	if n == 0 || !ok || len(reply) < n {
		return v, written
	}
	flags := reply[len(reply)-n:]
	for i, f := range flags {
		x, _ := f.(int64)
		written[i] = x == 1
	}
	return reply[:len(reply)-n], written
}

// batchArgs are the append script's arguments for the first occurrences of cmds' ids, and the
// indexes of those commands in cmds.
func batchArgs(expected uint64, nonce string, cmds []hub.Command, alias []int) ([]any, []int) {
	firsts := make([]int, 0, len(cmds))
	nev := 0
	for i, c := range cmds {
		if alias[i] == i {
			firsts = append(firsts, i)
			nev += len(c.Events)
		}
	}
	args := make([]any, 0, 3+2*len(firsts)+nev)
	args = append(args, expected, nonce, len(firsts))
	for _, i := range firsts {
		args = append(args, cmds[i].ID)
	}
	for _, i := range firsts {
		args = append(args, len(cmds[i].Events))
	}
	for _, i := range firsts {
		for _, e := range cmds[i].Events {
			args = append(args, e)
		}
	}
	return args, firsts
}

// maxLast is the highest last sequence among results.
func maxLast(res []hub.AppendResult) uint64 {
	var m uint64
	for _, r := range res {
		m = max(m, r.Last)
	}
	return m
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

// parseAppendReply reads the append script's reply for a batch of n distinct commands: their
// results and, from the quiet script, the batch message to publish.
func parseAppendReply(caseID string, expected uint64, nonce string, n int, v any) ([]hub.AppendResult, string, error) {
	reply, _ := v.([]any)
	bad := fmt.Errorf("redisstore: unexpected append reply %v", v)
	if len(reply) < 2 {
		return nil, "", bad
	}
	status, _ := reply[0].(int64)
	switch status {
	case 1:
		if len(reply) != 2+2*n {
			return nil, "", bad
		}
		batch, _ := reply[1].(string)
		out := make([]hub.AppendResult, n)
		for i := range out {
			first, ok1 := reply[2+2*i].(int64)
			last, ok2 := reply[3+2*i].(int64)
			if !ok1 || !ok2 {
				return nil, "", bad
			}
			out[i] = hub.AppendResult{First: uint64(first), Last: uint64(last)}
		}
		return out, batch, nil
	case 0:
		if len(reply) != 1+n {
			return nil, "", bad
		}
		out := make([]hub.AppendResult, n)
		for i := range out {
			prev, _ := reply[1+i].(string)
			parts := strings.SplitN(prev, ":", 3)
			if len(parts) != 3 {
				return nil, "", bad
			}
			first, err1 := strconv.ParseUint(parts[0], 10, 64)
			last, err2 := strconv.ParseUint(parts[1], 10, 64)
			if err1 != nil || err2 != nil {
				return nil, "", bad
			}
			// Our own nonce: an earlier attempt of this very call ran before its reply was lost.
			out[i] = hub.AppendResult{First: first, Last: last, Duplicate: parts[2] != nonce}
		}
		return out, "", nil
	case -1:
		head, _ := reply[1].(int64)
		return nil, "", fmt.Errorf("redisstore: case %q is at %d, expected %d: %w", caseID, head, expected, hub.ErrConflict)
	case -2:
		return nil, "", fmt.Errorf("redisstore: case %q: a batch mixes commands appended before with new ones: %w", caseID, hub.ErrConflict)
	}
	return nil, "", bad
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

// decodeBatch decodes the message appendScript publishes: one segment per command,
// "<first> <n> <len(cmd)> <len(data 1)> … <len(data n)>\n" + cmd + data 1 + … + data n, the
// segments' records following each other without a gap.
func decodeBatch(payload string) ([]hub.Record, error) {
	var recs []hub.Record
	for {
		seg, rest, err := decodeSegment(payload)
		if err != nil {
			return nil, err
		}
		if len(recs) > 0 && seg[0].Seq != recs[len(recs)-1].Seq+1 {
			return nil, errors.New("published batch with a gap between its commands")
		}
		recs = append(recs, seg...)
		if rest == "" {
			return recs, nil
		}
		payload = rest
	}
}

// decodeSegment decodes the first command's segment of a published batch and returns the rest.
func decodeSegment(payload string) ([]hub.Record, string, error) {
	header, body, ok := strings.Cut(payload, "\n")
	if !ok {
		return nil, "", errors.New("published batch without header")
	}
	fields := strings.Fields(header)
	if len(fields) < 3 {
		return nil, "", fmt.Errorf("published batch header %q", header)
	}
	nums := make([]uint64, len(fields))
	for i, f := range fields {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil, "", fmt.Errorf("published batch header %q", header)
		}
		nums[i] = n
	}
	first, n, cmdLen := nums[0], nums[1], nums[2]
	if uint64(len(fields)) != 3+n || n == 0 || first == 0 {
		return nil, "", fmt.Errorf("published batch header %q", header)
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
		return nil, "", err
	}
	recs := make([]hub.Record, n)
	for i := range recs {
		data, err := take(nums[3+i])
		if err != nil {
			return nil, "", err
		}
		recs[i] = hub.Record{Seq: first + uint64(i), CommandID: string(cmd), Data: data}
	}
	return recs, string(b), nil
}
