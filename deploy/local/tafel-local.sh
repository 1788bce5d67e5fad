#!/usr/bin/env bash
# tafel-local.sh — the scale-out topology of deploy/compose.yaml on one machine, without Docker:
# one redis-server with AOF (appendfsync always) on a loopback port, three tafel instances on
# loopback ports sharing that Redis and one signing key, and nginx (from Debian) in front as the
# load balancer (round robin, no sticky sessions, WebSocket upgrade).
#
#   deploy/local/tafel-local.sh [--run-dir DIR] start|stop|status
#
#   start   start whatever of the topology is not running (a fresh start builds tafel once);
#           run it again after a crash to bring back only the missing process
#   stop    stop everything: nginx, the instances (SIGTERM: they drain), Redis; SIGKILL after
#           a timeout
#   status  show each process and whether the instances are ready; exit 0 when all run
#
# Environment (read on the first start of a run dir, then kept in DIR/ports.env):
#   TAFEL_LOCAL_DIR         run dir (default ${TMPDIR:-/tmp}/tafel-local-<port>); --run-dir wins
#   TAFEL_LOCAL_PORT        nginx port, the URL people use (default 8480)
#   TAFEL_LOCAL_PORTS       instance ports, comma-separated (default port+1, port+2, port+3);
#                           their number is the number of instances
#   TAFEL_LOCAL_REDIS_PORT  Redis port (default port+9)
#   TAFEL_LOCAL_SENTINEL    1: Redis with failover instead of one Redis: a primary (on the Redis
#                           port), one replica and three sentinels; the instances use
#                           --redis-sentinel and every command waits for the replica (WAIT 1)
#   TAFEL_LOCAL_REPLICA_PORT   the replica's port (default port+10)
#   TAFEL_LOCAL_SENTINEL_PORTS the sentinels' ports, comma-separated (default port+11…+13)
#   TAFEL_BIN               a tafel binary to use instead of building one
#   TAFEL_LOCAL_BUILDFLAGS  extra `go build` flags, e.g. -race
#   TAFEL_LOCAL_ARGS        extra tafel flags for every instance, e.g. "--log-level debug"
#   TAFEL_JWT_KEY           the shared signing key (default: generated once into DIR/jwt.key)
#   TAFEL_MASTER_KEY        the shared master key of the case keys (default: generated once into DIR/master.key)
#   TAFEL_LOCAL_WATCH_PID   stop the whole topology when this process ends (used by tests)
#   TAFEL_LOCAL_STOP_WAIT   seconds to wait after SIGTERM before SIGKILL (default 35; tafel
#                           drains for at most 30)
#
# With TAFEL_LOCAL_SENTINEL=1, `start` after a crash of a Redis node starts it as a replica of the
# primary the sentinels name (after a failover: the old primary rejoins as a replica).
#
# Files in the run dir: ports.env, jwt.key, bin/tafel, redis/ (AOF, redis.log), redis2/ and
# sentinelN/ (sentinel.conf, sentinel.log) with TAFEL_LOCAL_SENTINEL=1,
# tafelN/ (data, out.log with the first-start link, err.log with JSON logs), nginx/
# (nginx.conf, error.log, access.log), pids/<name>.pid.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

die() { echo "tafel-local: $*" >&2; exit 1; }
say() { echo "tafel-local: $*"; }

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit "${1:-2}"
}

run_dir=${TAFEL_LOCAL_DIR:-}
cmd=""
while [ $# -gt 0 ]; do
	case "$1" in
	--run-dir) [ $# -ge 2 ] || die "--run-dir needs a directory"; run_dir=$2; shift 2 ;;
	--run-dir=*) run_dir=${1#--run-dir=}; shift ;;
	-h | --help) usage 0 ;;
	start | stop | status) [ -z "$cmd" ] || usage; cmd=$1; shift ;;
	__watch) [ $# -ge 2 ] || usage; cmd=$1; watch_pid=$2; shift 2 ;;
	*) echo "tafel-local: unknown argument: $1" >&2; usage ;;
	esac
done
[ -n "$cmd" ] || usage

# Ports: a run dir keeps the ports it was first started with.
port=${TAFEL_LOCAL_PORT:-8480}
[ -n "$run_dir" ] || run_dir="${TMPDIR:-/tmp}/tafel-local-$port"
mkdir -p "$run_dir"
run_dir=$(cd "$run_dir" && pwd)
if [ -f "$run_dir/ports.env" ]; then
	# shellcheck source=/dev/null
	. "$run_dir/ports.env"
else
	nginx_port=$port
	instance_ports=${TAFEL_LOCAL_PORTS:-$((port + 1)),$((port + 2)),$((port + 3))}
	redis_port=${TAFEL_LOCAL_REDIS_PORT:-$((port + 9))}
	replica_port="" sentinel_ports=""
	if [ "${TAFEL_LOCAL_SENTINEL:-0}" = 1 ]; then
		replica_port=${TAFEL_LOCAL_REPLICA_PORT:-$((port + 10))}
		sentinel_ports=${TAFEL_LOCAL_SENTINEL_PORTS:-$((port + 11)),$((port + 12)),$((port + 13))}
	fi
	if [ "$cmd" = start ]; then
		printf 'nginx_port=%s\ninstance_ports=%s\nredis_port=%s\nreplica_port=%s\nsentinel_ports=%s\n' \
			"$nginx_port" "$instance_ports" "$redis_port" "$replica_port" "$sentinel_ports" >"$run_dir/ports.env"
	fi
fi
replica_port=${replica_port:-} sentinel_ports=${sentinel_ports:-}
IFS=, read -r -a ports <<<"$instance_ports"
sentinels=()
[ -z "$sentinel_ports" ] || IFS=, read -r -a sentinels <<<"$sentinel_ports"
# The Redis data nodes: name and port. Without sentinels only "redis".
redis_names=(redis) redis_ports=("$redis_port")
if [ -n "$sentinel_ports" ]; then
	[ "${#sentinels[@]}" -ge 3 ] || { echo "tafel-local: at least three sentinel ports, not '$sentinel_ports'" >&2; exit 1; }
	redis_names+=(redis2) redis_ports+=("$replica_port")
fi
master_name=tafel
for p in "$nginx_port" "${redis_ports[@]}" "${sentinels[@]}" "${ports[@]}"; do
	[[ "$p" =~ ^[0-9]+$ ]] && [ "$p" -gt 0 ] && [ "$p" -lt 65536 ] || die "bad port '$p'"
done
n=${#ports[@]}
url="http://127.0.0.1:$nginx_port"
pids="$run_dir/pids"
mkdir -p "$pids"

# --- processes ---------------------------------------------------------------------------

# alive PID: the process exists and is not a zombie.
alive() {
	kill -0 "$1" 2>/dev/null || return 1
	! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"
}

# pid_of NAME PATTERN: the recorded pid of NAME when that process is alive and its command
# line still contains PATTERN (so a reused pid is never signalled).
pid_of() {
	local f="$pids/$1.pid" pid
	[ -f "$f" ] || return 1
	pid=$(<"$f")
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	alive "$pid" || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
	echo "$pid"
}

# Command-line markers that identify our processes.
redis_mark() { echo "127.0.0.1:${1:-$redis_port} "; }
sentinel_mark() { echo "127.0.0.1:$1 "; }
tafel_mark() { echo "--addr 127.0.0.1:${ports[$(($1 - 1))]} "; }
nginx_mark() { echo "$run_dir/nginx/nginx.conf "; }

# stop_one NAME PATTERN WAIT: SIGTERM, wait up to WAIT seconds, then SIGKILL.
stop_one() {
	local pid i
	pid=$(pid_of "$1" "$2") || { rm -f "$pids/$1.pid"; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < $3 * 10; i++)); do
		alive "$pid" || break
		sleep 0.1
	done
	if alive "$pid"; then
		say "$1 (pid $pid) did not stop within $3 s: SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.1; done
	fi
	rm -f "$pids/$1.pid"
	say "stopped $1"
}

# --- probes (bash /dev/tcp: no curl needed) ----------------------------------------------

# http_status PORT PATH: the HTTP status of GET PATH on 127.0.0.1:PORT, or 000.
http_status() {
	local line
	line=$(
		exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$2" "$1" >&3
		timeout 5 head -n 1 <&3
	) || line=""
	line=${line#HTTP/1.? }
	echo "${line:0:3}" | grep -E '^[0-9]{3}$' || echo 000
}

redis_pong() {
	local line
	line=$(
		exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/${1:-$redis_port}" || exit 1
		printf 'PING\r\n' >&3
		timeout 5 head -n 1 <&3
	) || return 1
	[[ "$line" == +PONG* ]]
}

# sentinel_master: the port of the primary the first answering sentinel names (127.0.0.1 only).
sentinel_master() {
	local p out
	for p in "${sentinels[@]}"; do
		out=$(
			exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$p" || exit 1
			printf 'SENTINEL GET-MASTER-ADDR-BY-NAME %s\r\n' "$master_name" >&3
			timeout 5 head -n 5 <&3
		) || continue
		out=$(printf '%s' "$out" | tr -d '\r' | sed -n 5p)
		if [[ "$out" =~ ^[0-9]+$ ]]; then
			echo "$out"
			return 0
		fi
	done
	return 1
}

# wait_for WHAT SECONDS CHECK...: poll CHECK until it succeeds.
wait_for() {
	local what=$1 secs=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

instance_ready() { [ "$(http_status "${ports[$(($1 - 1))]}" /readyz)" = 200 ]; }
nginx_ready() { [ "$(http_status "$nginx_port" /healthz)" = 200 ]; }

# --- start -------------------------------------------------------------------------------

need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found: $2"; }

# start_redis_node I: start data node I (0: the first, the primary of a fresh start) when it
# is not running. With sentinels, a node restarted after a crash becomes a replica of the
# primary the sentinels name, unless they still name this node (no failover yet).
start_redis_node() {
	local name=${redis_names[$1]} p=${redis_ports[$1]} role=() master="" what=""
	if pid_of "$name" "$(redis_mark "$p")" >/dev/null; then return 0; fi
	need redis-server "install it with: apt-get install -y redis-server (or: make test-deps)"
	mkdir -p "$run_dir/$name"
	if [ -n "$sentinel_ports" ]; then
		if [ -f "$run_dir/sentinel1/sentinel.conf" ]; then
			master=$(sentinel_master) || die "no sentinel names a primary; start them first"
		elif [ "$1" != 0 ]; then
			master=${redis_ports[0]} # a fresh start: node 0 is the primary
		fi
		if [ -n "$master" ] && [ "$master" != "$p" ]; then
			role=(--replicaof 127.0.0.1 "$master")
			what=", replica of 127.0.0.1:$master"
		fi
		# A replica that (re)joins syncs at once, not after 5 s: until then no command is
		# acknowledged (each waits for a replica). A primary without a connected replica
		# refuses writes (NOREPLICAS): an old primary cut off by a failover cannot take writes
		# that instances would follow and the failover then drops.
		role+=(--repl-diskless-sync-delay 0 --min-replicas-to-write 1 --min-replicas-max-lag 5)
	fi
	# AOF with fsync before every reply: an acknowledged command survives kill -9 of Redis.
	setsid redis-server --bind 127.0.0.1 --port "$p" --protected-mode yes \
		--dir "$run_dir/$name" --appendonly yes --appendfsync always --save "" \
		--daemonize no --logfile "$run_dir/$name/redis.log" --loglevel notice "${role[@]}" \
		</dev/null >>"$run_dir/$name/redis.log" 2>&1 &
	echo $! >"$pids/$name.pid"
	wait_for "$name" 30 redis_pong "$p" || die "Redis on port $p did not answer; see $run_dir/$name/redis.log"
	say "$(printf '%-8s' "$name") 127.0.0.1:$p (pid $(<"$pids/$name.pid"), AOF in $run_dir/$name$what)"
}

sentinel_pong() { redis_pong "$1"; }

# start_sentinel I: sentinel I (1-based). Its configuration is written on the first start
# only: the sentinel rewrites it (its id, the current primary, the other sentinels).
# down-after-milliseconds 2000 and failover-timeout 2000: a dead primary is replaced in about
# 3–5 s (README.md, "Redis with failover"); 1000 made a busy new primary (forking for a
# replica's sync on a loaded machine) look dead and fail over again.
start_sentinel() {
	local i=$1 p=${sentinels[$(($1 - 1))]} d="$run_dir/sentinel$1"
	if pid_of "sentinel$i" "$(sentinel_mark "$p")" >/dev/null; then return 0; fi
	need redis-sentinel "install it with: apt-get install -y redis-sentinel (or: make test-deps)"
	mkdir -p "$d"
	if [ ! -f "$d/sentinel.conf" ]; then
		cat >"$d/sentinel.conf" <<-CONF
			port $p
			bind 127.0.0.1
			daemonize no
			dir $d
			logfile $d/sentinel.log
			sentinel monitor $master_name 127.0.0.1 $redis_port 2
			sentinel down-after-milliseconds $master_name 2000
			sentinel failover-timeout $master_name 2000
			sentinel parallel-syncs $master_name 1
		CONF
	fi
	# redis-sentinel's command line is only the config file: the marker is in the pid file.
	setsid redis-sentinel "$d/sentinel.conf" </dev/null >>"$d/sentinel.log" 2>&1 &
	echo $! >"$pids/sentinel$i.pid"
	wait_for "sentinel$i" 30 sentinel_pong "$p" || die "sentinel on port $p did not answer; see $d/sentinel.log"
	say "sentinel$i 127.0.0.1:$p (pid $(<"$pids/sentinel$i.pid"))"
}

start_redis() {
	local i
	if [ -z "$sentinel_ports" ]; then
		start_redis_node 0
		return
	fi
	if [ -f "$run_dir/sentinel1/sentinel.conf" ]; then
		# A restart: the sentinels know the primary; bring back the sentinels, then the nodes.
		for ((i = 1; i <= ${#sentinels[@]}; i++)); do start_sentinel "$i"; done
		for ((i = 0; i < ${#redis_names[@]}; i++)); do start_redis_node "$i"; done
	else
		for ((i = 0; i < ${#redis_names[@]}; i++)); do start_redis_node "$i"; done
		for ((i = 1; i <= ${#sentinels[@]}; i++)); do start_sentinel "$i"; done
	fi
}

# redis_flag: how the instances reach Redis.
redis_flag() {
	if [ -z "$sentinel_ports" ]; then
		echo "--redis redis://127.0.0.1:$redis_port/0"
		return
	fi
	local list="" p
	for p in "${sentinels[@]}"; do list+="${list:+,}127.0.0.1:$p"; done
	echo "--redis-sentinel $master_name@$list"
}

# tafel_bin: the binary to run. A fresh start builds it; an instance restarted into a running
# topology reuses the binary its siblings run.
tafel_bin() {
	if [ -n "${TAFEL_BIN:-}" ]; then
		[ -x "$TAFEL_BIN" ] || die "TAFEL_BIN=$TAFEL_BIN is not executable"
		echo "$TAFEL_BIN"
		return
	fi
	local bin="$run_dir/bin/tafel" i running=0
	for ((i = 1; i <= n; i++)); do
		pid_of "tafel$i" "$(tafel_mark "$i")" >/dev/null && running=1
	done
	if [ "$running" = 0 ] || [ ! -x "$bin" ]; then
		need go "install Go, or set TAFEL_BIN to a built tafel binary"
		mkdir -p "$run_dir/bin"
		# The patched toolchain of the Makefile; the machine's default may be older.
		[ -n "${GOTOOLCHAIN:-}" ] && [ "${GOTOOLCHAIN}" != local ] || export GOTOOLCHAIN=go1.26.10
		export GOFLAGS=${GOFLAGS:--buildvcs=false}
		local cgo=0
		[[ " ${TAFEL_LOCAL_BUILDFLAGS:-} " == *" -race "* ]] && cgo=1
		say "building tafel ($GOTOOLCHAIN) into $bin" >&2
		(cd "$repo" && CGO_ENABLED=$cgo go build ${TAFEL_LOCAL_BUILDFLAGS:-} -o "$bin.new" ./cmd/tafel) >&2 ||
			die "go build failed"
		mv -f "$bin.new" "$bin"
	fi
	echo "$bin"
}

jwt_key() {
	if [ -n "${TAFEL_JWT_KEY:-}" ]; then
		echo "$TAFEL_JWT_KEY"
		return
	fi
	secret_file "$run_dir/jwt.key"
}

master_key() {
	if [ -n "${TAFEL_MASTER_KEY:-}" ]; then
		echo "$TAFEL_MASTER_KEY"
		return
	fi
	secret_file "$run_dir/master.key"
}

# secret_file prints the 32-byte hex secret in file $1, generating it once. It is written to a
# temporary file and renamed into place, so that a reader never sees it half written, and an
# empty secret is an error rather than an instance started without one.
secret_file() {
	local f=$1 v
	if [ ! -s "$f" ]; then
		(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$f.$$" && mv -n "$f.$$" "$f")
		rm -f "$f.$$"
	fi
	v=$(<"$f")
	[ "${#v}" -eq 64 ] || die "$f does not hold a 32-byte hex secret"
	echo "$v"
}

start_instance() {
	local i=$1 bin=$2 key=$3 p=${ports[$(($1 - 1))]} dir="$run_dir/tafel$1"
	if pid_of "tafel$i" "$(tafel_mark "$i")" >/dev/null; then return 0; fi
	mkdir -p "$dir/data"
	echo "--- tafel-local: started $(date -u +%FT%TZ)" >>"$dir/out.log"
	# shellcheck disable=SC2086 # TAFEL_LOCAL_ARGS and redis_flag are lists of flags
	local master
	master=$(master_key) || exit 1
	TAFEL_JWT_KEY=$key TAFEL_MASTER_KEY=$master setsid "$bin" --addr "127.0.0.1:$p" \
		$(redis_flag) \
		--public-url "$url" --origins "$url,http://localhost:$nginx_port" \
		--trusted-proxies 127.0.0.1/32 --data "$dir/data" ${TAFEL_LOCAL_ARGS:-} \
		</dev/null >>"$dir/out.log" 2>>"$dir/err.log" &
	echo $! >"$pids/tafel$i.pid"
}

write_nginx_conf() {
	local d="$run_dir/nginx" user="" p servers="" conf
	mkdir -p "$d/tmp"
	# nginx started as root switches its workers to an unprivileged user.
	if [ "$(id -u)" = 0 ]; then
		user="user nobody $(getent group nogroup >/dev/null && echo nogroup || echo nobody);"
		chmod 755 "$run_dir" "$d" "$d/tmp"
	fi
	for p in "${ports[@]}"; do
		servers+="        server 127.0.0.1:$p max_fails=0;"$'\n'
	done
	conf=$(<"$here/nginx.conf.in")
	conf=${conf//@USER@/$user}
	conf=${conf//@DIR@/$d}
	conf=${conf//@PORT@/$nginx_port}
	conf=${conf//@SERVERS@/${servers%$'\n'}}
	printf '%s\n' "$conf" >"$d/nginx.conf"
}

start_nginx() {
	if pid_of nginx "$(nginx_mark)" >/dev/null; then return 0; fi
	local nginx_bin
	nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
	[ -x "$nginx_bin" ] || die "nginx not found: apt-get install -y nginx-light (or: make test-deps)"
	write_nginx_conf
	"$nginx_bin" -t -q -p "$run_dir/nginx" -c "$run_dir/nginx/nginx.conf" 2>>"$run_dir/nginx/error.log" ||
		die "nginx rejects $run_dir/nginx/nginx.conf; see $run_dir/nginx/error.log"
	setsid "$nginx_bin" -p "$run_dir/nginx" -c "$run_dir/nginx/nginx.conf" -g 'daemon off;' \
		</dev/null >>"$run_dir/nginx/error.log" 2>&1 &
	echo $! >"$pids/nginx.pid"
	wait_for nginx 15 nginx_ready || die "nginx on port $nginx_port does not answer; see $run_dir/nginx/error.log"
	say "nginx    $url (pid $(<"$pids/nginx.pid"), config $run_dir/nginx/nginx.conf)"
}

# start_watch: a watcher that stops the topology once TAFEL_LOCAL_WATCH_PID ends, so that a
# test killed before its cleanup leaves nothing running.
start_watch() {
	local w=${TAFEL_LOCAL_WATCH_PID:-}
	[ -n "$w" ] || return 0
	[[ "$w" =~ ^[0-9]+$ ]] || die "TAFEL_LOCAL_WATCH_PID=$w is not a pid"
	if pid_of watch "$run_dir __watch" >/dev/null; then return 0; fi
	setsid bash "${BASH_SOURCE[0]}" --run-dir "$run_dir" __watch "$w" </dev/null >>"$run_dir/watch.log" 2>&1 &
	echo $! >"$pids/watch.pid"
}

do_watch() {
	while alive "$1"; do sleep 1; done
	rm -f "$pids/watch.pid"
	say "process $1 ended: stopping"
	do_stop
}

do_start() {
	start_watch
	start_redis
	local bin key i
	bin=$(tafel_bin)
	key=$(jwt_key)
	[ "${#key}" -ge 32 ] || die "the signing key must be at least 32 bytes"
	local started=()
	for ((i = 1; i <= n; i++)); do
		if ! pid_of "tafel$i" "$(tafel_mark "$i")" >/dev/null; then
			start_instance "$i" "$bin" "$key"
			started+=("$i")
		fi
	done
	for i in "${started[@]}"; do
		if ! wait_for "tafel$i" 60 instance_ready "$i"; then
			tail -n 20 "$run_dir/tafel$i/err.log" >&2 || true
			die "tafel$i on port ${ports[$((i - 1))]} is not ready; see $run_dir/tafel$i/err.log"
		fi
		say "tafel$i   127.0.0.1:${ports[$((i - 1))]} (pid $(<"$pids/tafel$i.pid"), logs in $run_dir/tafel$i)"
	done
	start_nginx
	say "Tafel runs at $url"
	local link
	# The link instance 1 printed at its latest start (only while no administrator exists).
	link=$(sed -n '/^--- tafel-local: started/h; /^--- tafel-local: started/!H; ${x;p}' "$run_dir/tafel1/out.log" 2>/dev/null |
		grep -o 'http[^ ]*/setup#[^ ]*' | tail -n 1 || true)
	if [ -n "$link" ]; then
		say "first-start link (when no account exists yet): $link"
	fi
}

do_stop() {
	local wait=${TAFEL_LOCAL_STOP_WAIT:-35} i
	stop_one nginx "$(nginx_mark)" 10
	for ((i = 1; i <= n; i++)); do
		stop_one "tafel$i" "$(tafel_mark "$i")" "$wait" &
	done
	wait
	for ((i = 1; i <= ${#sentinels[@]}; i++)); do
		stop_one "sentinel$i" "$(sentinel_mark "${sentinels[$((i - 1))]}")" 5
	done
	for ((i = 0; i < ${#redis_names[@]}; i++)); do
		stop_one "${redis_names[$i]}" "$(redis_mark "${redis_ports[$i]}")" 15
	done
	stop_one watch "$run_dir __watch" 2
}

do_status() {
	local ok=0 pid i state
	for ((i = 0; i < ${#redis_names[@]}; i++)); do
		local name=${redis_names[$i]} p=${redis_ports[$i]}
		if pid=$(pid_of "$name" "$(redis_mark "$p")"); then
			state=running
			redis_pong "$p" || state="running, not answering"
			echo "$name   pid $pid  127.0.0.1:$p  $state"
		else
			echo "$name   stopped"
			ok=3
		fi
	done
	for ((i = 1; i <= ${#sentinels[@]}; i++)); do
		if pid=$(pid_of "sentinel$i" "$(sentinel_mark "${sentinels[$((i - 1))]}")"); then
			echo "sentinel$i pid $pid  127.0.0.1:${sentinels[$((i - 1))]}"
		else
			echo "sentinel$i stopped"
			ok=3
		fi
	done
	if [ -n "$sentinel_ports" ]; then
		echo "primary 127.0.0.1:$(sentinel_master || echo '?')"
	fi
	for ((i = 1; i <= n; i++)); do
		if pid=$(pid_of "tafel$i" "$(tafel_mark "$i")"); then
			echo "tafel$i  pid $pid  127.0.0.1:${ports[$((i - 1))]}  readyz $(http_status "${ports[$((i - 1))]}" /readyz)"
		else
			echo "tafel$i  stopped"
			ok=3
		fi
	done
	if pid=$(pid_of nginx "$(nginx_mark)"); then
		echo "nginx   pid $pid  $url"
	else
		echo "nginx   stopped"
		ok=3
	fi
	echo "run dir $run_dir"
	return $ok
}

case "$cmd" in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
__watch) do_watch "$watch_pid" ;;
esac
