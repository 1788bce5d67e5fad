package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tafel-ketenzorg/tafel/server/kv"
)

// KV layout: a bucket is a hash <prefix>kv:{<bucket>} of key → value, with a sorted set
// <prefix>kv:{<bucket>}:exp of the keys that expire, scored by expiry (ms, Redis's clock). Both
// share the hash tag, so the scripts below touch them atomically. An expired entry is
// invisible at once and removed by a later PutIfAbsent (a bounded number per call).
// A log is a stream <prefix>log:{<name>} with ids "<seq>-0"; a channel is
// <prefix>chan:<name> on the Store's one pub/sub connection.
func (s *Store) bucketKey(bucket string) string    { return s.prefix + "kv:{" + bucket + "}" }
func (s *Store) bucketExpKey(bucket string) string { return s.prefix + "kv:{" + bucket + "}:exp" }
func (s *Store) kvLogKey(name string) string       { return s.prefix + "log:{" + name + "}" }
func (s *Store) kvChannel(name string) string      { return s.prefix + "chan:" + name }

func (s *Store) bucketKeys(bucket string) []string {
	return []string{s.bucketKey(bucket), s.bucketExpKey(bucket)}
}

// kvSubscriberBuffer is how many published messages wait for a slow subscriber before further
// ones to it are dropped (Publish is best effort).
const kvSubscriberBuffer = 1024

// kvGetScript: KEYS bucket hash, expiry set; ARGV[1] key. Returns the value or nil.
var kvGetScript = redis.NewScript(luaNow + `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then
  return false
end
local exp = redis.call('ZSCORE', KEYS[2], ARGV[1])
if exp and tonumber(exp) <= now then
  return false
end
return v
`)

// kvPutIfAbsentScript: KEYS bucket hash, expiry set; ARGV[1] key, ARGV[2] value, ARGV[3] ttl
// ms (0: none). Returns 1 when it stored the value, 0 when a live value exists.
var kvPutIfAbsentScript = redis.NewScript(luaNow + `
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 64)
for _, k in ipairs(dead) do
  redis.call('HDEL', KEYS[1], k)
  redis.call('ZREM', KEYS[2], k)
end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('ZADD', KEYS[2], string.format('%.0f', now + ttl), ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return 1
`)

// kvListScript: KEYS bucket hash, expiry set. Returns the flat key, value list of live entries.
var kvListScript = redis.NewScript(luaNow + `
local dead = {}
for _, k in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  dead[k] = true
end
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  if not dead[all[i]] then
    out[#out + 1] = all[i]
    out[#out + 1] = all[i + 1]
  end
end
return out
`)

// kvPutScript and kvDeleteScript: KEYS bucket hash, expiry set; ARGV[1] key (ARGV[2] value).
// Put and Delete use them when the Store waits for replicas (a MULTI cannot hold the WAIT).
var (
	kvPutScript = redis.NewScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`)
	kvDeleteScript = redis.NewScript(`
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`)
)

// kvAppendLogScript: KEYS[1] the log's stream; ARGV[1] data. Returns the new sequence.
var kvAppendLogScript = redis.NewScript(`
local seq = redis.call('XLEN', KEYS[1]) + 1
redis.call('XADD', KEYS[1], string.format('%d-0', seq), 'd', ARGV[1])
return seq
`)

// Get implements kv.Store.
func (s *Store) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	if s.isClosed() {
		return nil, errClosed
	}
	v, err := kvGetScript.Run(ctx, s.rdb, s.bucketKeys(bucket), key).Text()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("redisstore: %s/%s: %w", bucket, key, kv.ErrNotFound)
	}
	if err != nil {
		return nil, mapErr("get", err)
	}
	return []byte(v), nil
}

// Put implements kv.Store. The key no longer expires. With Options.Replicas, like every KV
// write, it returns only once the replicas confirm it (else ErrUnavailable).
func (s *Store) Put(ctx context.Context, bucket, key string, value []byte) error {
	if err := checkBucketKey(bucket, key); err != nil {
		return err
	}
	if s.isClosed() {
		return errClosed
	}
	if s.replicas > 0 {
		_, err := s.runConfirmed(ctx, kvPutScript, s.bucketKeys(bucket), key, value)
		return mapErr("put", err)
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.bucketKey(bucket), key, value)
		p.ZRem(ctx, s.bucketExpKey(bucket), key)
		return nil
	})
	return mapErr("put", err)
}

// PutIfAbsent implements kv.Store. The script runs atomically in Redis, so exactly one caller
// on any instance wins; expiry is judged by Redis's clock, not the instances'.
func (s *Store) PutIfAbsent(ctx context.Context, bucket, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := checkBucketKey(bucket, key); err != nil {
		return false, err
	}
	if ttl < 0 {
		return false, fmt.Errorf("redisstore: negative ttl %v", ttl)
	}
	if s.isClosed() {
		return false, errClosed
	}
	ms := ttl.Milliseconds()
	if ttl > 0 && ms == 0 {
		ms = 1
	}
	reply, err := s.runConfirmed(ctx, kvPutIfAbsentScript, s.bucketKeys(bucket), key, value, ms)
	if err != nil {
		return false, mapErr("put if absent", err)
	}
	n, _ := reply.(int64)
	return n == 1, nil
}

// Delete implements kv.Store.
func (s *Store) Delete(ctx context.Context, bucket, key string) error {
	if s.isClosed() {
		return errClosed
	}
	if s.replicas > 0 {
		_, err := s.runConfirmed(ctx, kvDeleteScript, s.bucketKeys(bucket), key)
		return mapErr("delete", err)
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HDel(ctx, s.bucketKey(bucket), key)
		p.ZRem(ctx, s.bucketExpKey(bucket), key)
		return nil
	})
	return mapErr("delete", err)
}

// List implements kv.Store.
func (s *Store) List(ctx context.Context, bucket string) (map[string][]byte, error) {
	if s.isClosed() {
		return nil, errClosed
	}
	flat, err := kvListScript.Run(ctx, s.rdb, s.bucketKeys(bucket)).StringSlice()
	if err != nil {
		return nil, mapErr("list", err)
	}
	out := make(map[string][]byte, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		out[flat[i]] = []byte(flat[i+1])
	}
	return out, nil
}

// AppendLog implements kv.Store.
func (s *Store) AppendLog(ctx context.Context, name string, data []byte) (uint64, error) {
	if name == "" {
		return 0, errors.New("redisstore: log name is empty")
	}
	if s.isClosed() {
		return 0, errClosed
	}
	reply, err := s.runConfirmed(ctx, kvAppendLogScript, []string{s.kvLogKey(name)}, data)
	if err != nil {
		return 0, mapErr("append log", err)
	}
	seq, ok := reply.(int64)
	if !ok || seq < 1 {
		return 0, fmt.Errorf("redisstore: unexpected append log reply %v", reply)
	}
	return uint64(seq), nil
}

// AppendLogs implements kv.Store: the appends go in one pipeline (one round trip). The logs
// may live in different cluster slots, so they are not one transaction.
func (s *Store) AppendLogs(ctx context.Context, names []string, data []byte) ([]uint64, error) {
	for _, name := range names {
		if name == "" {
			return nil, errors.New("redisstore: log name is empty")
		}
	}
	if s.isClosed() {
		return nil, errClosed
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(names))
	for i, name := range names {
		cmds[i] = kvAppendLogScript.Eval(ctx, pipe, []string{s.kvLogKey(name)}, data) // EVALSHA cannot fall back inside a pipeline
	}
	var wait *redis.Cmd
	if s.replicas > 0 { // on the same connection: it covers every append above
		wait = pipe.Do(ctx, "WAIT", s.replicas, s.replicaTimeout.Milliseconds())
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, mapErr("append logs", err)
	}
	if wait != nil {
		if n, _ := wait.Val().(int64); n < int64(s.replicas) {
			return nil, errNotConfirmed
		}
	}
	seqs := make([]uint64, len(names))
	for i, c := range cmds {
		seq, err := c.Uint64()
		if err != nil {
			return nil, mapErr("append logs", err)
		}
		seqs[i] = seq
	}
	return seqs, nil
}

// ReadLog implements kv.Store.
func (s *Store) ReadLog(ctx context.Context, name string, after uint64, limit int) ([]kv.Entry, error) {
	if s.isClosed() {
		return nil, errClosed
	}
	var out []kv.Entry
	for {
		count := int64(readPage)
		if limit > 0 && limit-len(out) < readPage {
			count = int64(limit - len(out))
		}
		msgs, err := s.rdb.XRangeN(ctx, s.kvLogKey(name), streamID(after+1), "+", count).Result()
		if err != nil {
			return nil, mapErr("read log", err)
		}
		for _, m := range msgs {
			seq, err := streamSeq(m.ID)
			data, ok := m.Values["d"].(string)
			if err != nil || !ok {
				return nil, fmt.Errorf("redisstore: log %q: bad entry %q", name, m.ID)
			}
			out = append(out, kv.Entry{Seq: seq, Data: []byte(data)})
			after = seq
		}
		if int64(len(msgs)) < count || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
	}
}

// Publish implements kv.Store.
func (s *Store) Publish(ctx context.Context, channel string, msg []byte) error {
	if s.isClosed() {
		return errClosed
	}
	if s.sharded {
		return mapErr("publish", s.rdb.SPublish(ctx, s.kvChannel(channel), msg).Err())
	}
	return mapErr("publish", s.rdb.Publish(ctx, s.kvChannel(channel), msg).Err())
}

// Subscribe implements kv.Store. The subscription shares the Store's one pub/sub connection;
// fn is called from one goroutine per subscription. Messages published while the connection is
// down are lost (Publish is best effort).
func (s *Store) Subscribe(ctx context.Context, channel string, fn func(msg []byte)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.isClosed() {
		return errClosed
	}
	sub := &kvSubscriber{s: s, channel: channel, msgs: make(chan string, kvSubscriberBuffer)}
	name := s.kvChannel(channel)
	subs, err := s.subsFor(ctx, name)
	if err != nil {
		return err
	}
	n, err := subs.add(ctx, name, sub)
	if err != nil {
		return err
	}
	if err := subs.wait(ctx, n); err != nil {
		subs.remove(name, sub)
		return err
	}
	err = s.start(func() {
		defer subs.remove(name, sub)
		for {
			select {
			case msg := <-sub.msgs:
				fn([]byte(msg))
			case <-ctx.Done():
				return
			case <-s.ctx.Done():
				return
			}
		}
	})
	if err != nil {
		subs.remove(name, sub)
	}
	return err
}

// kvSubscriber is one Subscribe: the pub/sub loop fills msgs, its goroutine calls fn.
type kvSubscriber struct {
	s       *Store
	channel string
	msgs    chan string
}

func (k *kvSubscriber) message(payload string) {
	select {
	case k.msgs <- payload:
	default:
		k.s.log.Warn("subscriber too slow; message dropped", "channel", k.channel)
	}
}

func (k *kvSubscriber) resync() {}

func checkBucketKey(bucket, key string) error {
	if bucket == "" || key == "" {
		return errors.New("redisstore: bucket and key must not be empty")
	}
	return nil
}
