package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Presence of a case: a sorted set of connection ids scored by expiry (ms, Redis's clock) and
// a hash of their data. Both keys expire with their longest-lived entry.
func (s *Store) presenceKey(caseID string) string     { return s.caseKey(caseID, "presence") }
func (s *Store) presenceDataKey(caseID string) string { return s.caseKey(caseID, "presdata") }

// luaNow is the Lua prelude that sets now to Redis's clock in milliseconds. Redis 7 replicates
// a script's effects, so reading TIME before writing is allowed.
const luaNow = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

// setPresenceScript: KEYS[1] zset, KEYS[2] hash; ARGV[1] conn id, ARGV[2] data, ARGV[3] ttl ms.
var setPresenceScript = redis.NewScript(luaNow + `
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, c in ipairs(gone) do
  redis.call('HDEL', KEYS[2], c)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], string.format('%.0f', now + tonumber(ARGV[3])), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local expireAt = string.format('%.0f', tonumber(newest[2]))
redis.call('PEXPIREAT', KEYS[1], expireAt)
redis.call('PEXPIREAT', KEYS[2], expireAt)
return 1
`)

// presenceScript: KEYS[1] zset, KEYS[2] hash. Returns {conn ids, data} of unexpired entries.
var presenceScript = redis.NewScript(luaNow + `
local conns = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%.0f', now), '+inf')
if #conns == 0 then
  return {}
end
return {conns, redis.call('HMGET', KEYS[2], unpack(conns))}
`)

// SetPresence implements hub.Store.
func (s *Store) SetPresence(ctx context.Context, caseID, connID string, data []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("redisstore: presence ttl %v must be positive", ttl)
	}
	if s.isClosed() {
		return errClosed
	}
	keys := []string{s.presenceKey(caseID), s.presenceDataKey(caseID)}
	err := setPresenceScript.Run(ctx, s.rdb, keys, connID, data, max(ttl.Milliseconds(), 1)).Err()
	return mapErr("set presence", err)
}

// RemovePresence implements hub.Store.
func (s *Store) RemovePresence(ctx context.Context, caseID, connID string) error {
	if s.isClosed() {
		return errClosed
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, s.presenceKey(caseID), connID)
		p.HDel(ctx, s.presenceDataKey(caseID), connID)
		return nil
	})
	return mapErr("remove presence", err)
}

// Presence implements hub.Store.
func (s *Store) Presence(ctx context.Context, caseID string) (map[string][]byte, error) {
	if s.isClosed() {
		return nil, errClosed
	}
	keys := []string{s.presenceKey(caseID), s.presenceDataKey(caseID)}
	reply, err := presenceScript.Run(ctx, s.rdb, keys).Slice()
	if err != nil {
		return nil, mapErr("presence", err)
	}
	out := map[string][]byte{}
	if len(reply) == 0 {
		return out, nil
	}
	conns, ok1 := reply[0].([]any)
	data, ok2 := reply[1].([]any)
	if len(reply) != 2 || !ok1 || !ok2 || len(conns) != len(data) {
		return nil, errors.New("redisstore: unexpected presence reply")
	}
	for i, c := range conns {
		id, _ := c.(string)
		if d, ok := data[i].(string); ok { // an entry without data is skipped
			out[id] = []byte(d)
		}
	}
	return out, nil
}
