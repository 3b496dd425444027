#!/bin/bash
# tools/vm/run-vm.sh - gridlink's copy of the gpiosim-vm harness (shared/tools/gpiosim-vm), adapted:
# own cache dir and files from tools/vm/. Boot Debian's own kernel (linux-image-amd64, 6.1.x) in
# qemu-system-x86_64 with an initramfs built from Debian packages, load
# gpio-sim (+configfs), run a test inside the VM and exit with its status.
#
# Usage:
#   run-vm.sh [options] TEST [-- test-args...]
#
#   TEST            script (with or without #!) or executable; copied to
#                   /test/ in the VM and run there with test-args.
# Options:
#   --bin PATH      copy an ELF (or any file) to /usr/local/bin/<name> plus
#                   all shared libs listed by ldd (same paths as on the host);
#                   repeatable. Use LD_LIBRARY_PATH on the host if ldd needs it.
#   --file SRC[:DST] copy a file or directory to DST (default /opt/<basename>);
#                   repeatable.
#   --module NAME   extra module from the Debian kernel (deps resolved by
#                   modinfo), loaded with modprobe at boot; repeatable.
#   --accel tcg|kvm (default tcg; kvm does NOT work on this host, see README)
#   --cpu MODEL     qemu -cpu (default: max for tcg, host for kvm)
#   --smp N         (default 2)     --mem MiB (default 512)
#   --timeout SEC   hard limit for qemu (default 300)
#   --log FILE      also write the serial console to FILE
#   --no-pvh        boot the compressed bzImage instead of the cached,
#                   decompressed vmlinux via its PVH entry (PVH skips ~3-4 s
#                   of XZ decompression under TCG; CONFIG_PVH=y in Debian)
#   --disk IMG      attach IMG (raw) as the next virtio disk (/dev/vda, vdb, …) with
#                   cache=none (O_DIRECT; writethrough where the host file
#                   system has no O_DIRECT): what the guest flushed is in IMG;
#                   load the modules with --module virtio_pci --module
#                   virtio_blk --module ext4 --module crc32c_generic; repeatable
#   --serial-file F the next extra serial port (/dev/ttyS1, ttyS2, …) is
#                   written straight to host file F as bytes arrive; repeatable
#   --pidfile F     qemu writes its PID to F (for a caller that kills it)
#   --verbose       kernel loglevel 7 instead of 4 and show build steps
#   --build-only    build/refresh the cached base initramfs and exit
#   --rebuild       drop the cached base initramfs (not the debs) first
#
# Env:
#   GRIDLINK_VM_CACHE cache directory (default: ${XDG_CACHE_HOME:-~/.cache}/gridlink-vm)
#   GPIOSIM_KVER    kernel ABI, e.g. 6.1.0-56-amd64 (default: what
#                   linux-image-amd64 depends on)
#   GPIOSIM_NO_APT=1 never call apt-get install (fail if a tool is missing)
#
# Inside the VM:
#   /proc /sys /dev(devtmpfs) /tmp /sys/kernel/config are mounted,
#   gpio-sim is loaded, busybox applets + gpiod tools (gpiodetect, gpioinfo,
#   gpioget, gpioset, gpiomon, gpiofind) are in PATH, and
#   /usr/local/lib/gpiosim.sh (source it) offers:
#     gpiosim_new NAME NUM_LINES [LINE_NAME...]  -> prints "gpiochipN gpio-sim.M"
#     gpiosim_chip NAME | gpiosim_dev NAME | gpiosim_dir NAME OFFSET
#     gpiosim_pull NAME OFFSET up|down          (drives an input edge)
#     gpiosim_getpull NAME OFFSET | gpiosim_value NAME OFFSET
#     gpiosim_del NAME
#   The VM prints "@@GPIOSIM-VM-EXIT rc=N@@" and powers off; this script
#   exits with N (125 if the marker never appeared, 124 on timeout).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_START=$(date +%s.%N)
CACHE=${GRIDLINK_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gridlink-vm}
PVH=1 ACCEL=tcg CPU= SMP=2 MEM=512 TIMEOUT=300 LOGFILE= VERBOSE=0 BUILD_ONLY=0 REBUILD=0
BINS=() FILES=() XMODS=() TEST= TEST_ARGS=() DISKS=() SERIALS=() PIDFILE=

die() { echo "run-vm: $*" >&2; exit 125; }
log() { [ "$VERBOSE" = 1 ] && echo "run-vm: $*" >&2 || true; }

while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BINS+=("$2"); shift 2;;
    --file) FILES+=("$2"); shift 2;;
    --module) XMODS+=("$2"); shift 2;;
    --disk) DISKS+=("$2"); shift 2;;
    --serial-file) SERIALS+=("$2"); shift 2;;
    --pidfile) PIDFILE=$2; shift 2;;
    --accel) ACCEL=$2; shift 2;;
    --cpu) CPU=$2; shift 2;;
    --smp) SMP=$2; shift 2;;
    --mem) MEM=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --log) LOGFILE=$2; shift 2;;
    --verbose) VERBOSE=1; shift;;
    --no-pvh) PVH=0; shift;;
    --build-only) BUILD_ONLY=1; shift;;
    --rebuild) REBUILD=1; shift;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    --) shift; TEST_ARGS=("$@"); break;;
    -*) die "unknown option $1";;
    *) if [ -z "$TEST" ]; then TEST=$1; shift; else TEST_ARGS+=("$1"); shift; fi;;
  esac
done
[ "$BUILD_ONLY" = 1 ] || [ -n "$TEST" ] || die "no TEST given (see --help)"
[ -z "$TEST" ] || [ -e "$TEST" ] || die "TEST $TEST not found"
case "$ACCEL" in tcg) CPU=${CPU:-max};; kvm) CPU=${CPU:-host};; *) die "bad --accel";; esac

mkdir -p "$CACHE/debs"

# ---------------------------------------------------------------- host tools
need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
command -v cpio >/dev/null || need_pkgs+=(cpio)
command -v depmod >/dev/null || [ -x /sbin/depmod ] || need_pkgs+=(kmod)
command -v dpkg-deb >/dev/null || die "dpkg-deb missing (not a Debian host?)"
if [ ${#need_pkgs[@]} -gt 0 ]; then
  [ "${GPIOSIM_NO_APT:-0}" = 1 ] && die "missing host packages: ${need_pkgs[*]}"
  log "apt-get install ${need_pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y --no-install-recommends "${need_pkgs[@]}" >&2
fi
DEPMOD=$(command -v depmod || echo /sbin/depmod)
MODINFO=$(command -v modinfo || echo /sbin/modinfo)

if [ -z "${GPIOSIM_KVER:-}" ]; then
  if [ -s "$CACHE/kver" ]; then GPIOSIM_KVER=$(cat "$CACHE/kver")
  else
    GPIOSIM_KVER=$(apt-cache depends linux-image-amd64 2>/dev/null \
      | sed -n 's/.*Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -1)
    [ -n "$GPIOSIM_KVER" ] || die "cannot resolve linux-image-amd64 (run apt-get update)"
    echo "$GPIOSIM_KVER" > "$CACHE/kver"
  fi
fi
KVER=$GPIOSIM_KVER
ROOT=$CACHE/root-$KVER            # dpkg-deb -x of all debs
BASE=$CACHE/base-$KVER.cpio       # cached base initramfs
KMOD=$CACHE/kmod-$KVER            # out-of-tree gpio-sim build (if needed)
[ "$REBUILD" = 1 ] && rm -rf "$BASE" "$CACHE/base-$KVER" "$CACHE/vmlinux-$KVER"

fetch_deb() { # pkg...
  local p missing=()
  for p in "$@"; do
    ls "$CACHE/debs/${p}_"*.deb >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get download ${missing[*]}"
    (cd "$CACHE/debs" && timeout 900 apt-get download "${missing[@]}" >&2 2>/dev/null) \
      || (cd "$CACHE/debs" && timeout 900 apt-get download "${missing[@]}" >&2)
  fi
}

extract_root() {
  [ -f "$ROOT/.done" ] && return 0
  fetch_deb "linux-image-$KVER" busybox-static gpiod libgpiod2
  rm -rf "$ROOT"; mkdir -p "$ROOT"
  local p d
  for p in "linux-image-$KVER" busybox-static gpiod libgpiod2; do
    d=$(ls "$CACHE/debs/${p}_"*.deb | head -1)
    log "extract $d"; dpkg-deb -x "$d" "$ROOT"
  done
  "$DEPMOD" -b "$ROOT" "$KVER"   # the .deb ships no modules.dep (postinst makes it)
  touch "$ROOT/.done"
}

# gpio-sim: use the kernel's own module if Debian built it, else build the
# upstream driver of the same kernel version out-of-tree (Debian 6.1 has
# CONFIG_GPIO_SIM, CONFIG_GPIO_MOCKUP and CONFIG_IRQ_SIM all unset).
gpiosim_modules() { # prints paths of extra .ko files to add (may be empty)
  local cfg=$ROOT/boot/config-$KVER
  if grep -q '^CONFIG_GPIO_SIM=[my]' "$cfg"; then return 0; fi
  if [ ! -f "$KMOD/gpio-sim.ko" ] || [ ! -f "$KMOD/irq_sim.ko" ]; then
    local hdr=/lib/modules/$KVER/build
    if [ ! -e "$hdr/Makefile" ]; then
      [ "${GPIOSIM_NO_APT:-0}" = 1 ] && die "need linux-headers-$KVER to build gpio-sim.ko"
      log "apt-get install linux-headers-$KVER"
      DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y --no-install-recommends "linux-headers-$KVER" gcc make >&2
    fi
    local srcpkg
    srcpkg=$(dpkg-deb -f "$(ls "$CACHE/debs/linux-image-${KVER}_"*.deb | head -1)" Source | cut -d' ' -f1)
    local kmaj; kmaj=$(echo "$KVER" | cut -d. -f1,2)
    fetch_deb "linux-source-$kmaj"
    rm -rf "$KMOD"; mkdir -p "$KMOD/src"
    log "extract gpio-sim.c/irq_sim.c from linux-source-$kmaj ($srcpkg)"
    dpkg-deb --fsys-tarfile "$(ls "$CACHE/debs/linux-source-${kmaj}_"*.deb | head -1)" \
      | tar -xO "./usr/src/linux-source-$kmaj.tar.xz" \
      | tar -xJ -C "$KMOD/src" "linux-source-$kmaj/drivers/gpio/gpio-sim.c" \
          "linux-source-$kmaj/drivers/gpio/gpiolib.h" "linux-source-$kmaj/kernel/irq/irq_sim.c"
    cp "$KMOD/src/linux-source-$kmaj/drivers/gpio/gpio-sim.c" \
       "$KMOD/src/linux-source-$kmaj/drivers/gpio/gpiolib.h" \
       "$KMOD/src/linux-source-$kmaj/kernel/irq/irq_sim.c" "$KMOD/"
    # irq_to_desc() is not exported to modules; generic_handle_irq() runs the
    # same handle_simple_irq flow handler that irq_sim installs.
    sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' "$KMOD/irq_sim.c"
    grep -q '^MODULE_LICENSE' "$KMOD/irq_sim.c" || printf '\n#include <linux/module.h>\nMODULE_LICENSE("GPL");\nMODULE_DESCRIPTION("irq_sim (out-of-tree build)");\n' >> "$KMOD/irq_sim.c"
    echo 'obj-m += irq_sim.o gpio-sim.o' > "$KMOD/Kbuild"
    log "make gpio-sim.ko"
    timeout 900 make -s -C "$hdr" M="$KMOD" modules >"$KMOD/build.log" 2>&1 \
      || { cat "$KMOD/build.log" >&2; die "gpio-sim out-of-tree build failed"; }
  fi
  echo "$KMOD/irq_sim.ko" "$KMOD/gpio-sim.ko"
}

# copy_elf SRC DST_IN_STAGE STAGE: copies SRC and every lib ldd reports.
copy_with_libs() {
  local src=$1 dst=$2 stage=$3 lib
  mkdir -p "$stage/$(dirname "$dst")"
  cp -L "$src" "$stage/$dst"; chmod a+rx "$stage/$dst"
  # ldd prints "libx => /path (addr)" and "/lib64/ld-linux... (addr)"
  local to
  while read -r lib; do
    [ -n "$lib" ] && [ -e "$lib" ] || continue
    case "$lib" in
      "$ROOT"/*) to=${lib#"$ROOT"};;                 # from the extracted debs
      /lib/*|/lib64/*|/usr/lib/*|/usr/lib64/*|/usr/local/lib/*) to=$lib;;
      *) to=/usr/local/lib/$(basename "$lib");;    # e.g. a build dir via LD_LIBRARY_PATH
    esac
    [ -e "$stage/$to" ] && continue
    mkdir -p "$stage/$(dirname "$to")"; cp -L "$lib" "$stage/$to"
  done < <(ldd "$src" 2>/dev/null | awk '/=>/ {print $3; next} /^[ \t]*\// {print $1}')
}

resolve_modules() { # modname... -> .ko paths incl. deps (from the Debian tree)
  local m
  for m in "$@"; do
    "$MODINFO" -b "$ROOT" -k "$KVER" -F filename "$m" 2>/dev/null | head -1
    local deps; deps=$("$MODINFO" -b "$ROOT" -k "$KVER" -F depends "$m" 2>/dev/null | tr ',' ' ')
    # shellcheck disable=SC2086
    if [ -n "$deps" ]; then resolve_modules $deps; fi
  done
  return 0
}

build_base() {
  [ -f "$BASE" ] && return 0
  extract_root
  local st=$CACHE/base-$KVER
  rm -rf "$st"; mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/local/lib,proc,sys,dev,tmp,run,etc,test,lib/modules/$KVER/extra}
  cp "$ROOT/bin/busybox" "$st/bin/busybox"
  local t
  for t in gpiodetect gpioinfo gpioget gpioset gpiomon gpiofind; do
    LD_LIBRARY_PATH=$ROOT/usr/lib/x86_64-linux-gnu copy_with_libs "$ROOT/usr/bin/$t" "/usr/bin/$t" "$st"
  done
  # libgpiod from the package, not whatever the host has
  mkdir -p "$st/usr/lib/x86_64-linux-gnu"
  cp -a "$ROOT"/usr/lib/x86_64-linux-gnu/libgpiod.so.* "$st/usr/lib/x86_64-linux-gnu/"
  # kernel modules: configfs (m in Debian) + gpio-sim (+ its deps) + extras
  local kos=() ko
  # shellcheck disable=SC2207
  kos+=($(resolve_modules configfs))
  # shellcheck disable=SC2207
  local oot=($(gpiosim_modules))
  if [ ${#oot[@]} -eq 0 ]; then kos+=($(resolve_modules gpio-sim)); fi
  for ko in "${kos[@]}"; do
    mkdir -p "$st/$(dirname "${ko#$ROOT}")"; cp "$ko" "$st/${ko#$ROOT}"
  done
  for ko in "${oot[@]}"; do cp "$ko" "$st/lib/modules/$KVER/extra/"; done
  cp "$ROOT/lib/modules/$KVER/modules.builtin"* "$ROOT/lib/modules/$KVER/modules.order" "$st/lib/modules/$KVER/"
  "$DEPMOD" -b "$st" "$KVER"
  cp "$HERE/init" "$st/init"; chmod 755 "$st/init"
  cp "$HERE/gpiosim.sh" "$st/usr/local/lib/gpiosim.sh"
  echo "root:x:0:0:root:/root:/bin/sh" > "$st/etc/passwd"
  (cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$BASE.tmp"
  mv "$BASE.tmp" "$BASE"
  log "base initramfs $(du -h "$BASE" | cut -f1)"
}

# Decompressed ELF vmlinux (has the PVH ELF note; qemu -kernel boots it
# directly without the real-mode setup + XZ decompressor).
extract_vmlinux() {
  local z=$ROOT/boot/vmlinuz-$KVER out=$CACHE/vmlinux-$KVER
  [ -s "$out" ] && return 0
  command -v python3 >/dev/null || return 1
  python3 - "$z" "$out.tmp" <<'PY' || return 1
import sys, lzma, gzip, zlib
d = open(sys.argv[1], 'rb').read()
i = d.find(b'\xfd7zXZ\x00')
if i >= 0:
    out = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(d[i:])
else:
    i = d.find(b'\x1f\x8b\x08')
    out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(d[i:])
if out[:4] != b'\x7fELF' or b'Xen\x00' not in out:
    sys.exit(1)
open(sys.argv[2], 'wb').write(out)
PY
  mv "$out.tmp" "$out"
}

extract_root
build_base
KERNEL=$ROOT/boot/vmlinuz-$KVER
if [ "$PVH" = 1 ] && extract_vmlinux; then KERNEL=$CACHE/vmlinux-$KVER; fi
T_BASE=$(date +%s.%N)
[ "$BUILD_ONLY" = 1 ] && { echo "$BASE"; printf 'run-vm: timing: base initramfs + kernel ready in %.2fs\n' "$(awk "BEGIN{print $T_BASE-$T_START}")" >&2; exit 0; }

# --------------------------------------------------------- per-run overlay
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gridlink-vm.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
OV=$WORK/ov; mkdir -p "$OV/test" "$OV/usr/local/bin" "$OV/etc"
tname=$(basename "$TEST")
copy_with_libs "$TEST" "/test/$tname" "$OV"
{ printf '%s\n' "$tname"; } > "$OV/test/.name"
: > "$OV/test/.args"   # single-quoted, eval'ed by /init as "set -- ..."
for a in "${TEST_ARGS[@]}"; do printf "'%s' " "${a//\'/\'\\\'\'}" >> "$OV/test/.args"; done
for b in "${BINS[@]}"; do copy_with_libs "$b" "/usr/local/bin/$(basename "$b")" "$OV"; done
for f in "${FILES[@]}"; do
  src=${f%%:*}; dst=${f#*:}; [ "$dst" = "$f" ] && dst=/opt/$(basename "$src")
  mkdir -p "$OV/$(dirname "$dst")"; cp -aL "$src" "$OV/$dst"
done
if [ ${#XMODS[@]} -gt 0 ]; then
  for ko in $(resolve_modules "${XMODS[@]}"); do
    mkdir -p "$OV/$(dirname "${ko#$ROOT}")"; cp "$ko" "$OV/${ko#$ROOT}"
  done
  # merge: modules.dep must cover base + extra modules
  mkdir -p "$WORK/m"; (cd "$WORK/m" && cpio -id --quiet "lib/modules/*" < "$BASE")
  cp -a "$OV/lib/modules/." "$WORK/m/lib/modules/"
  "$DEPMOD" -b "$WORK/m" "$KVER"
  cp "$WORK/m/lib/modules/$KVER/modules."* "$OV/lib/modules/$KVER/"
  printf '%s\n' "${XMODS[@]}" > "$OV/etc/gpiosim-modules"
fi
(cd "$OV" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$WORK/ov.cpio"
cat "$BASE" "$WORK/ov.cpio" > "$WORK/initrd.cpio"   # concatenated newc archives
log "initrd $(du -h "$WORK/initrd.cpio" | cut -f1)"

# ------------------------------------------------------------------ boot
LOGLEVEL=4; [ "$VERBOSE" = 1 ] && LOGLEVEL=7
APPEND="console=ttyS0 panic=-1 loglevel=$LOGLEVEL rdinit=/init tsc=reliable mitigations=off"
QEMU=(qemu-system-x86_64 -accel "$ACCEL" -cpu "$CPU" -smp "$SMP" -m "$MEM"
      -nodefaults -no-user-config -nic none -display none -no-reboot
      -serial stdio -monitor none
      -kernel "$KERNEL" -initrd "$WORK/initrd.cpio" -append "$APPEND")
for d in "${DISKS[@]}"; do
  # O_DIRECT (cache=none) needs host file system support; tmpfs has none.
  cache=none
  if ! dd if="$d" of=/dev/null bs=4096 count=1 iflag=direct 2>/dev/null; then cache=writethrough; fi
  QEMU+=(-drive "file=$d,format=raw,if=virtio,cache=$cache")
done
for f in "${SERIALS[@]}"; do QEMU+=(-serial "file:$f"); done
[ -n "$PIDFILE" ] && QEMU+=(-pidfile "$PIDFILE")
log "${QEMU[*]}"
CONSOLE=$WORK/console.log
T_QEMU=$(date +%s.%N)
set +e
timeout -k 5 "$TIMEOUT" "${QEMU[@]}" </dev/null 2>&1 | tee "$CONSOLE"
qrc=${PIPESTATUS[0]}
T_END=$(date +%s.%N)
set -e
printf 'run-vm: timing: base+kernel %.2fs, overlay %.2fs, qemu (boot+test+poweroff) %.2fs; initrd %s\n' \
  "$(awk "BEGIN{print $T_BASE-$T_START}")" "$(awk "BEGIN{print $T_QEMU-$T_BASE}")" "$(awk "BEGIN{print $T_END-$T_QEMU}")" \
  "$(du -h "$WORK/initrd.cpio" | cut -f1)" >&2
[ -n "$LOGFILE" ] && cp "$CONSOLE" "$LOGFILE"
rc=$(tr -d '\r' < "$CONSOLE" | sed -n 's/.*@@GPIOSIM-VM-EXIT rc=\([0-9]*\)@@.*/\1/p' | tail -1)
if [ -z "$rc" ]; then
  [ "$qrc" = 124 ] || [ "$qrc" = 137 ] && { echo "run-vm: timeout after ${TIMEOUT}s" >&2; exit 124; }
  echo "run-vm: VM ended without exit marker (qemu rc=$qrc)" >&2; exit 125
fi
exit "$rc"
