#!/bin/sh
# Runs INSIDE the VM (busybox sh) for the power-cut test (tools/torture.d/40-power-cut), started
# through tools/vm/run-vm.sh with two virtio disks and two extra serial ports:
#   /dev/vda -> /data/full    gridlinkd as shipped (outbox synchronous=FULL); log to /dev/ttyS1
#   /dev/vdb -> /data/normal  the negative control: GRIDLINK_DEBUG_UNSAFE_SYNCHRONOUS=NORMAL;
#                             log to /dev/ttyS2
# Each serial port is a host file written as bytes arrive, so the daemons' "stored: seq N" lines
# (logged once the commit returned, the moment the "received" LED lights) reach the host as they
# happen and survive the cut. At boot, before the daemons start, each port gets
#   @@BOOT <boot id>, then one "ROW|seq|boot id" line per event in that outbox, then @@DUMPED.
# Usage: power-cut-guest.sh run     presses on both kiosks until the host kills qemu
#        power-cut-guest.sh verify  only the dump, then exit 0
MODE=${1:-run}
. /usr/local/lib/gpiosim.sh
say() { echo "@@PC $*"; }
BOOT=$(cat /proc/sys/kernel/random/boot_id)
for d in full normal; do
  case $d in full) dev=/dev/vda port=/dev/ttyS1;; normal) dev=/dev/vdb port=/dev/ttyS2;; esac
  mkdir -p /data/$d
  # Default ext4 options (data=ordered, commit=5), as on a Raspberry Pi OS root file system.
  mount -t ext4 $dev /data/$d || { say "FAIL cannot mount $dev"; exit 1; }
  mkdir -p /data/$d/state
  {
    echo "@@BOOT $BOOT"
    if [ -f /data/$d/state/outbox.sqlite ]; then
      sqlite3 /data/$d/state/outbox.sqlite "SELECT 'ROW', seq, json_extract(CAST(payload AS TEXT), '\$.time.boot') FROM events ORDER BY seq" \
        || echo "@@DUMPFAIL"
    fi
    echo "@@DUMPED"
  } > $port 2>&1
done
say "boot $BOOT dumped"
ip link set lo up 2>/dev/null
if [ "$MODE" = verify ]; then umount /data/full /data/normal; exit 0; fi

PULLS=""
for d in full normal; do
  sed -e "s/^chip = .*/chip = \"pc-$d\"/" -e '/^control_socket/d' -e 's/^debounce_ms = .*/debounce_ms = 50/' /opt/kiosk.toml > /tmp/$d.toml
  gpiosim_new pc-$d 8 GPIO17 GPIO27 GPIO22 GPIO23 GPIO24 GPIO25 GPIO5 GPIO6 >/dev/null || { say "FAIL gpio-sim"; exit 1; }
  p=$(gpiosim_dir pc-$d 0)/pull
  echo pull-up > $p
  PULLS="$PULLS $p"
done
GRIDLINK_LOG=debug gridlinkd --config /tmp/full.toml --broker 127.0.0.1:1 --state-dir /data/full/state >/dev/ttyS1 2>&1 &
GRIDLINK_DEBUG_UNSAFE_SYNCHRONOUS=NORMAL GRIDLINK_LOG=debug gridlinkd --config /tmp/normal.toml --broker 127.0.0.1:1 \
  --state-dir /data/normal/state >/dev/ttyS2 2>&1 &
# Both daemons hold their button lines once attached.
t=300
while [ $t -gt 0 ]; do
  n=0
  for d in full normal; do gpioinfo pc-$d 2>/dev/null | grep '"GPIO17"' | grep -q '\[used' && n=$((n + 1)); done
  [ $n = 2 ] && break
  usleep 100000; t=$((t - 1))
done
[ $t -gt 0 ] || { say "FAIL daemons did not attach"; exit 1; }
say "PRESSING"
# Both kiosks pressed together, 100 ms down / 100 ms up, in bursts of 5 with a short pause.
while :; do
  i=0
  while [ $i -lt 5 ]; do
    for p in $PULLS; do echo pull-down > $p; done; usleep 100000
    for p in $PULLS; do echo pull-up > $p; done; usleep 100000
    i=$((i + 1))
  done
  usleep 300000
done
