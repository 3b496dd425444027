# Shared helpers for tools/torture scenarios (bash; source it). Not executable, so the driver skips it.
#
#   tt_free_port                      -> a free TCP port on 127.0.0.1
#   tt_start_broker PORT [ADDR] [NS]  -> starts a persistent mosquitto (sets TT_BROKER_PID); ADDR
#                                        default 127.0.0.1; NS runs it inside that network namespace
#   tt_stop_broker [SIGNAL]           -> stops it (TERM saves its database) and waits
#   tt_profile NAME [KEY=VALUE...]    -> writes $TORTURE_WORK/NAME.toml: the demo profile (simulated chip)
#                                        with `[section] key` lines replaced, e.g. broker.keepalive_s=4
#   tt_start_daemon PROFILE BROKER [NS] -> gridlinkd on PROFILE (state in $TORTURE_WORK/state), log in
#                                        $TORTURE_WORK/gridlinkd.log (appended); sets TT_DAEMON_PID
#   tt_ctl ARGS...                    -> gridlinkctl with the profile/state of the running daemon
#   tt_wait_ctl SECONDS               -> true once the daemon answers `status`
#   tt_start_sub PORT [ADDR] [NS]     -> mosquitto_sub on every event topic, persistent session, QoS 1,
#                                        one payload per line into $TORTURE_WORK/delivered.jsonl
#   tt_press_loop OUT [NAME]          -> background: `sim press` in a loop, replies appended to OUT;
#                                        sets TT_PRESS_PID; stop with tt_stop TT_PRESS_PID
#   tt_tally STORED DELIVERED         -> JSON counts: stored/delivered/lost/duplicated/seq_reused
#   tt_row FIELD=VALUE...             -> prints one result row (JSON) on stdout
#   tt_cleanup                        -> registered as EXIT trap: stops everything started here
# Everything started is recorded in $TORTURE_WORK/pids and stopped by PID on exit.
set -uo pipefail
: "${TORTURE_WORK:?run through tools/torture}" "${TORTURE_BIN:?}" "${TORTURE_REPO:?}"
TORTURE_MODE=${TORTURE_MODE:-quick}
TT_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TT_STATE=$TORTURE_WORK/state
TT_PROFILE=
TT_BROKER_PID= TT_DAEMON_PID= TT_SUB_PID= TT_PRESS_PID=
TT_BROKER_ARGS=()
TT_CLEANUPS=()

tt_log() { printf '[%s] %s\n' "$(date +%T.%3N)" "$*" >&2; }
tt_now() { date +%s.%N; }
tt_since() { awk -v a="$1" -v b="$(tt_now)" 'BEGIN { printf "%.1f", b - a }'; }

tt_free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  tt_log "no free port"; return 1
}

# tt_stop VAR: TERM the PID in variable VAR (then KILL after 5 s) and wait for it.
tt_stop() {
  local var=$1 pid sig=${2:-TERM}
  pid=${!var:-}
  [ -n "$pid" ] || return 0
  kill "-$sig" "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  printf -v "$var" '%s' ""
  return 0
}

tt_cleanup() {
  local f
  for f in "${TT_CLEANUPS[@]}"; do eval "$f" 2>/dev/null; done
  tt_stop TT_PRESS_PID; tt_stop TT_DAEMON_PID; tt_stop TT_SUB_PID; tt_stop TT_BROKER_PID
  # Whatever else this scenario started in the background.
  local p
  for p in $(jobs -p); do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  return 0
}
trap tt_cleanup EXIT
trap 'exit 143' TERM INT

tt_in_ns() { # NS CMD... (NS empty: here)
  local ns=$1; shift
  if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}
# tt_exec_in_ns NS CMD...: the same, replacing the calling (background) subshell, so $! is the
# program's own PID and stopping it by PID stops the program.
tt_exec_in_ns() {
  local ns=$1; shift
  if [ -n "$ns" ]; then exec ip netns exec "$ns" "$@"; else exec "$@"; fi
}

tt_start_broker() {
  local port=$1 addr=${2:-127.0.0.1} ns=${3:-}
  TT_BROKER_ARGS=("$port" "$addr" "$ns")
  mkdir -p "$TORTURE_WORK/broker"
  cat > "$TORTURE_WORK/broker/mosquitto.conf" <<CONF
listener $port $addr
allow_anonymous true
persistence true
persistence_location $TORTURE_WORK/broker/
log_dest file $TORTURE_WORK/broker/mosquitto.log
connection_messages true
max_queued_messages 0
user $(id -un)
CONF
  tt_exec_in_ns "$ns" mosquitto -c "$TORTURE_WORK/broker/mosquitto.conf" 2>>"$TORTURE_WORK/broker/stderr" &
  TT_BROKER_PID=$!
  for _ in $(seq 1 100); do
    if tt_in_ns "$ns" bash -c "(exec 3<>/dev/tcp/$addr/$port)" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  tt_log "mosquitto did not start on $addr:$port"; cat "$TORTURE_WORK/broker/stderr" >&2; return 1
}
tt_stop_broker() { tt_stop TT_BROKER_PID "${1:-TERM}"; }

# tt_profile NAME [section.key=value ...]
tt_profile() {
  local name=$1; shift
  local out=$TORTURE_WORK/$name.toml kv section key value
  cp "$TORTURE_REPO/device-config/demo.toml" "$out"
  for kv in "$@"; do
    section=${kv%%.*}; key=${kv#*.}; key=${key%%=*}; value=${kv#*=}
    awk -v s="[$section]" -v k="$key" -v v="$value" '
      /^\[/ { if (insec && !done) { print k " = " v; done = 1 } insec = ($0 == s) }
      insec && $1 == k { print k " = " v; done = 1; next }
      { print }
      END { if (!done) { if (!insec) print s; print k " = " v } }' "$out" > "$out.tmp" && mv "$out.tmp" "$out"
  done
  TT_PROFILE=$out
  echo "$out"
}

tt_start_daemon() {
  local profile=$1 broker=$2 ns=${3:-}
  TT_PROFILE=$profile
  mkdir -p "$TT_STATE"
  GRIDLINK_LOG=${GRIDLINK_LOG:-info} tt_exec_in_ns "$ns" "$TORTURE_BIN/gridlinkd" --config "$profile" --broker "$broker" \
    --state-dir "$TT_STATE" >>"$TORTURE_WORK/gridlinkd.log" 2>&1 &
  TT_DAEMON_PID=$!
}

tt_ctl() { "$TORTURE_BIN/gridlinkctl" "$@" --config "$TT_PROFILE" --state-dir "$TT_STATE"; }

tt_wait_ctl() {
  local n=$(( ${1:-10} * 10 ))
  while [ "$n" -gt 0 ]; do tt_ctl status >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
  return 1
}

tt_start_sub() {
  local port=$1 addr=${2:-127.0.0.1} ns=${3:-}
  # Persistent session (-c, fixed id) at QoS 1: what the broker holds for it while it reconnects
  # arrives later; the payloads are one JSON object per line.
  tt_exec_in_ns "$ns" stdbuf -oL mosquitto_sub -h "$addr" -p "$port" -q 1 -c -i "torture-central-$$" \
    -t 'gridlink/v1/+/+/events/#' -F '%p' >>"$TORTURE_WORK/delivered.jsonl" 2>>"$TORTURE_WORK/sub.err" &
  TT_SUB_PID=$!
  sleep 0.3
}

# Presses in a loop; each reply line ("stored seq N … id X …") is appended to OUT as it arrives.
tt_press_loop() {
  local out=$1 name=${2:-proxy}
  (
    trap 'exit 0' TERM
    while :; do
      tt_ctl sim press "$name" >>"$out" 2>>"$TORTURE_WORK/press.err" || sleep 0.05
    done
  ) &
  TT_PRESS_PID=$!
}

tt_tally() { python3 "$TT_LIB/tally.py" "$@"; }

# tt_row key=value ... (numbers and true/false/null stay bare; everything else becomes a string)
tt_row() { python3 "$TT_LIB/row.py" "$@"; }

# tt_wait_delivered STORED DELIVERED SECONDS: true once every reported-stored id has arrived.
tt_wait_delivered() {
  local n=$(( $3 * 5 ))
  while [ "$n" -gt 0 ]; do
    [ "$(tt_tally "$1" "$2" --field lost)" = 0 ] && return 0
    sleep 0.2; n=$((n - 1))
  done
  return 1
}
