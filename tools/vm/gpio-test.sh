#!/bin/sh
# Runs INSIDE the gpio-sim VM (busybox sh), started by tools/vm-gpio-test through tools/vm/run-vm.sh.
# The real gridlinkd (built against libgpiod v1 or v2) runs the kiosk profile on a gpio-sim chip
# whose lines carry the names from device-config/kiosk.toml; edges come from the sim's pull
# attributes. Checks:
#   1. chip missing at start -> one clear log line, retry every 5 s, attaches once the chip appears
#   2. 50 presses (real edges) -> 50 events in the outbox with the kernel's edge timestamps
#   3. a bounce train (press and release both bouncing) -> exactly one event
#   4. the "received" LED line reads 1 (gpio-sim value) after a press is stored, 0 before
#   5. a line held by another consumer -> a log line naming chip, line and consumer; retried
#   6. polarity and bias: the active-low profile records a press on the falling edge only (held low
#      400 ms: nothing stored yet; released: one short press stamped at the falling edge), and the same
#      button in an active-high profile (pull-down, pressed = high) on the rising edge only;
#      `gpioinfo` shows the profile's bias (pull-up, then pull-down) on the requested line
# Prints kernel-edge -> stored latency p50/p99. Usage: gpio-test.sh BACKEND_NAME
BACKEND=${1:-v1}
. /usr/local/lib/gpiosim.sh
SIM=gridlink-kiosk
STATE=/tmp/state
DB=$STATE/outbox.sqlite
LOG=/tmp/gridlinkd.log
PROFILE=/tmp/kiosk-vm.toml
fails=0
pass() { echo "VMTEST $BACKEND ok: $*"; }
fail() { echo "VMTEST $BACKEND FAIL: $*"; fails=$((fails + 1)); }
ms() { usleep $(($1 * 1000)); }
# wait_for SECONDS COMMAND...: true once COMMAND succeeds
wait_for() { t=$(($1 * 10)); shift; while [ $t -gt 0 ]; do "$@" && return 0; usleep 100000; t=$((t - 1)); done; return 1; }
count_events() { sqlite3 "$DB" "SELECT count(*) FROM events WHERE json_extract(CAST(payload AS TEXT), '\$.source') = '$1'" 2>/dev/null; }
has_events() { [ "$(count_events "$1")" = "$2" ]; }
log_has() { grep -q "$1" "$LOG"; }
# newest event of a source: "mono_ns stored_mono_ns press"
newest_event() { sqlite3 -separator ' ' "$1" "SELECT json_extract(CAST(payload AS TEXT), '\$.time.mono_ns'), stored_mono_ns, json_extract(CAST(payload AS TEXT), '\$.data.press') FROM events WHERE json_extract(CAST(payload AS TEXT), '\$.source') = '$2' ORDER BY seq DESC LIMIT 1"; }
# bias_shown LINE_NAME BIAS: gpioinfo lists the line with that bias (v1: "pull-up", v2: "bias=pull-up")
bias_shown() { gpioinfo $CHIPDEV | grep "\"$1\"" | grep -q "$2"; }
# events_in DB SOURCE: how many events of SOURCE the outbox DB holds; more_than DB SOURCE N: > N
events_in() { sqlite3 "$1" "SELECT count(*) FROM events WHERE json_extract(CAST(payload AS TEXT), '\$.source') = '$2'" 2>/dev/null; }
more_than() { [ "$(events_in "$1" "$2")" -gt "$3" ] 2>/dev/null; }
# polarity_press DB SOURCE PULLFILE ACTIVE REST: hold the line at ACTIVE 400 ms, return it to
# REST. Passes when exactly one new short press is stored, after the return to REST (a short press
# is decided at release: nothing may be stored while held), and it is stamped at the ACTIVE-going
# edge (kernel timestamp within 150 ms after the pull, so >= 400 ms before it was stored). Nothing
# slow (sqlite3 under qemu's emulation) runs while the line is held.
polarity_press() {
  before=$(events_in "$1" "$2")
  t_edge=$(cut -d' ' -f1 /proc/uptime); pull "$3" "$4"; ms 400
  t_back=$(cut -d' ' -f1 /proc/uptime); pull "$3" "$5"
  wait_for 5 more_than "$1" "$2" "$before"
  ms 300
  after=$(events_in "$1" "$2")
  set -- $(newest_event "$1" "$2")
  echo "VMTEST $BACKEND: polarity: events $before -> $after, press=$3, edge stamp - pull = $(awk -v m=$1 -v t=$t_edge 'BEGIN { printf "%d", m / 1e6 - t * 1000 }') ms, stored - release = $(awk -v s=$2 -v t=$t_back 'BEGIN { printf "%d", s / 1e6 - t * 1000 }') ms (uptime clock, 10 ms steps)"
  [ "$after" = $((before + 1)) ] && [ "$3" = short ] && [ $(($2 - $1)) -ge 400000000 ] \
    && awk -v m=$1 -v s=$2 -v te=$t_edge -v tb=$t_back 'BEGIN { exit !(m / 1e9 >= te - 0.02 && m / 1e9 <= te + 0.15 && s / 1e9 >= tb) }'
}

# The shipped kiosk profile, pointed at the sim chip by its LABEL (exercises label lookup). The
# debounce goes from 30 to 50 ms: qemu emulates the CPU in software on a shared build machine, and a
# stalled vCPU must not stretch a bounce gap into a "stable" level. Presses are held 100 ms.
sed -e "s/^chip = .*/chip = \"$SIM\"/" -e '/^control_socket/d' -e 's/^debounce_ms = .*/debounce_ms = 50/' /opt/kiosk.toml > $PROFILE
HOLD_MS=100
DEBOUNCE_MS=$(sed -n 's/^debounce_ms = \([0-9]*\).*/\1/p' $PROFILE)
mkdir -p $STATE
echo "VMTEST $BACKEND: $(uname -r), profile $(grep -c '^\[\[button' $PROFILE) buttons, debounce ${DEBOUNCE_MS} ms"

start_daemon() {
  GRIDLINK_LOG=debug gridlinkd --config $PROFILE --broker 127.0.0.1:1 --state-dir $STATE >>$LOG 2>&1 &
  DAEMON=$!
}

# 1. Start before the chip exists: the daemon must wait and say why, not exit.
start_daemon
if wait_for 10 log_has "no such chip"; then pass "missing chip logged: $(grep -m1 'no such chip' $LOG | cut -c1-200)"
else fail "no 'no such chip' line in the log"; fi
kill -0 $DAEMON 2>/dev/null && pass "daemon still running while the chip is missing" || fail "daemon exited without a chip"

# Sim lines: offsets deliberately differ from the BCM numbers, so only name lookup finds them.
set -- $(gpiosim_new $SIM 8 GPIO17 GPIO27 GPIO22 GPIO23 GPIO24 GPIO25 GPIO5 GPIO6)
CHIPDEV=$1
PROXY=0 REPAIR=1 LED_RECEIVED=2
# The pull attribute files, resolved once: a write is then one shell builtin (no fork), so a
# bounce train really has sub-millisecond gaps even under qemu's software emulation.
PULL_PROXY=$(gpiosim_dir $SIM $PROXY)/pull
PULL_REPAIR=$(gpiosim_dir $SIM $REPAIR)/pull
pull() { echo "pull-$2" > "$1"; }
pull $PULL_PROXY up; pull $PULL_REPAIR up   # buttons released (pull-up wiring)
if wait_for 15 log_has "gpio: "; then pass "attached after the chip appeared: $(grep -m1 'gpio: ' $LOG | sed 's/.*gpio: /gpio: /')"
else fail "daemon did not attach within 15 s"; cat $LOG; fi
gpioinfo $CHIPDEV | sed 's/^/  gpioinfo: /'

# 4 (first half). Nothing stored yet: the received LED is off.
[ "$(gpiosim_value $SIM $LED_RECEIVED)" = 0 ] && pass "received LED off before any press" || fail "received LED on before any press"

# 2. 50 presses of 'proxy': press and release HOLD_MS each.
i=0
while [ $i -lt 50 ]; do
  pull $PULL_PROXY down; ms $HOLD_MS
  pull $PULL_PROXY up; ms $HOLD_MS
  i=$((i + 1))
done
if wait_for 20 has_events proxy 50; then pass "50 presses -> 50 events in the outbox"
else fail "50 presses -> $(count_events proxy) events"; fi

# Each event carries the kernel's timestamp of the press edge (mono_ns), not a read time: the
# stamps are in order, about one press period apart, and each lies before the event was stored by
# at least the hold time plus the debounce.
sqlite3 -separator ' ' "$DB" "SELECT json_extract(CAST(payload AS TEXT), '\$.time.mono_ns'), stored_mono_ns FROM events WHERE json_extract(CAST(payload AS TEXT), '\$.source') = 'proxy' ORDER BY seq" > /tmp/stamps
bad=$(awk -v hold=$(((HOLD_MS + DEBOUNCE_MS) * 1000000)) '
  { if ($1 == "" || $1 <= 0) bad++; else if (NR > 1 && ($1 - prev < 100000000 || $1 - prev > 2000000000)) bad++;
    if ($2 - $1 < hold) bad++; prev = $1 }
  END { print bad + 0 }' /tmp/stamps)
[ -s /tmp/stamps ] && [ "$bad" = 0 ] && pass "mono_ns are kernel press-edge stamps (ordered, one press period apart, >= hold+debounce before storing)" \
  || { fail "$bad event(s) without a plausible kernel timestamp"; head -5 /tmp/stamps; }

# 4 (second half). A press was stored: the received LED line is driven high.
[ "$(gpiosim_value $SIM $LED_RECEIVED)" = 1 ] && pass "received LED (GPIO22) reads 1 after a stored press" || fail "received LED reads $(gpiosim_value $SIM $LED_RECEIVED)"

# 3. A bounce train: contact chatter on press and on release, ~1 ms apart, well inside the debounce.
R=$PULL_REPAIR
t0=$(cut -d' ' -f1 /proc/uptime)
pull $R down; pull $R up; pull $R down; pull $R up; pull $R down; usleep 500; pull $R up; pull $R down
ms 120
pull $R up; pull $R down; pull $R up; usleep 700; pull $R down; pull $R up
t1=$(cut -d' ' -f1 /proc/uptime)
ms 300
took=$(awk -v a=$t0 -v b=$t1 'BEGIN { print (b - a) * 1000 }')
echo "VMTEST $BACKEND: bounce train of 12 edges took $took ms including the 120 ms hold"
if wait_for 5 has_events repair 1 && ms 500 && has_events repair 1; then pass "bounce train (12 edges) -> exactly 1 event"
else fail "bounce train -> $(count_events repair) events"; fi

# 6 (active-low). The kiosk profile: bias pull-up reaches the line; pressed = low.
bias_shown GPIO17 pull-up && pass "bias: gpioinfo shows pull-up on GPIO17 (profile bias = \"pull-up\")" \
  || { fail "bias: gpioinfo does not show pull-up on GPIO17"; gpioinfo $CHIPDEV | grep GPIO17; }
polarity_press $DB proxy $PULL_PROXY down up && pass "active-low: held low 400 ms -> no event; released -> one short press stamped at the falling edge" \
  || fail "active-low: the press was not recognised on the falling edge only"

# Latency: kernel edge that decided the press (the release, debounce included) -> committed.
grep 'stored: seq' $LOG | sed -n 's/.*, \([0-9]*\) µs after its deciding kernel edge.*commit \([0-9]*\) µs.*/\1 \2/p' > /tmp/lat
n=$(grep -c '' /tmp/lat)
pct() { sort -n | awk -v p=$1 '{ v[NR] = $1 } END { i = int((NR * p + 99) / 100); if (i < 1) i = 1; print v[i] }'; }
p50=$(cut -d' ' -f1 /tmp/lat | pct 50); p99=$(cut -d' ' -f1 /tmp/lat | pct 99)
c50=$(cut -d' ' -f2 /tmp/lat | pct 50); c99=$(cut -d' ' -f2 /tmp/lat | pct 99)
echo "VMTEST $BACKEND latency: n=$n kernel-edge->stored p50 ${p50} us p99 ${p99} us (includes the ${DEBOUNCE_MS} ms debounce; after it: p50 $((p50 - DEBOUNCE_MS * 1000)) us p99 $((p99 - DEBOUNCE_MS * 1000)) us); commit p50 ${c50} us p99 ${c99} us"

# 5. A line held by another consumer: stop the daemon, let gpiomon hold GPIO27, start again.
kill $DAEMON; wait $DAEMON 2>/dev/null
: > $LOG
gpiomon --num-events=100000 $CHIPDEV $REPAIR >/dev/null 2>&1 &
HOLDER=$!
ms 300
start_daemon
if wait_for 10 log_has "already used by consumer 'gpiomon'"; then
  line=$(grep -m1 "already used by consumer" $LOG)
  echo "  log: $line" | cut -c1-300
  echo "$line" | grep -q "$CHIPDEV \[$SIM\]" && echo "$line" | grep -q "button 'repair' (line $REPAIR)" && echo "$line" | grep -q "line $REPAIR is already used" \
    && pass "busy line: one line naming chip, line, button and consumer" || fail "busy-line message lacks chip/line/button"
else fail "no busy-line message"; cat $LOG; fi
kill -0 $DAEMON 2>/dev/null && pass "daemon waits (retrying) while the line is busy" || fail "daemon exited on a busy line"
kill $HOLDER; wait $HOLDER 2>/dev/null
if wait_for 12 log_has "gpio: "; then pass "attached within one retry after the line was freed"
else fail "did not attach after the line was freed"; fi
kill $DAEMON; wait $DAEMON 2>/dev/null

# 6 (active-high). The same button wired the other way: a pull-down, pressed = high.
PROFILE_HIGH=/tmp/kiosk-active-high.toml
sed -e 's/^active_low = true/active_low = false/' -e 's/^bias = "pull-up"/bias = "pull-down"/' $PROFILE > $PROFILE_HIGH
pull $PULL_PROXY down; pull $PULL_REPAIR down   # released, for this wiring
: > $LOG
GRIDLINK_LOG=debug gridlinkd --config $PROFILE_HIGH --broker 127.0.0.1:1 --state-dir /tmp/state-high >>$LOG 2>&1 &
DAEMON=$!
mkdir -p /tmp/state-high
if wait_for 10 log_has "gpio: "; then
  ms 200
  bias_shown GPIO17 pull-down && pass "bias: gpioinfo shows pull-down on GPIO17 (active-high profile)" \
    || { fail "bias: gpioinfo does not show pull-down on GPIO17"; gpioinfo $CHIPDEV | grep GPIO17; }
  polarity_press /tmp/state-high/outbox.sqlite proxy $PULL_PROXY up down && pass "active-high: held high 400 ms -> no event; released -> one short press stamped at the rising edge" \
    || fail "active-high: the press was not recognised on the rising edge only"
else fail "active-high profile: daemon did not attach"; cat $LOG; fi
kill $DAEMON; wait $DAEMON 2>/dev/null
gpiosim_del $SIM
echo "VMTEST $BACKEND: $fails failure(s)"
[ $fails = 0 ]
