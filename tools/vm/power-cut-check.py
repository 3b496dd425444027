"""Checks the power-cut test's serial records (tools/torture.d/40-power-cut).

    python3 power-cut-check.py WORKDIR CYCLES DISK

WORKDIR holds DISK-1.log … DISK-(CYCLES+1).log, one per boot: what the guest wrote to the
daemon's serial port (tools/vm/power-cut-guest.sh). Boot c reported "stored: seq N" lines before
it was cut; boot c+1 dumped the outbox ("ROW|seq|boot") before its daemon started. For every seq
reported stored in boot c: present with boot c's id -> survived; present with another boot's id
-> its seq was reused; absent -> lost. A seq reported stored in two boots is also a reuse.
Prints JSON: stored, survived, lost, reused, per_cut (list), lost_examples.
"""
import json
import re
import sys

work, cycles, disk = sys.argv[1], int(sys.argv[2]), sys.argv[3]
stored_re = re.compile(r"stored: seq (\d+) ")


def parse(path):
    boot, rows, reported, dumped, dump_failed = None, {}, [], False, False
    try:
        text = open(path, errors="replace").read().replace("\r", "")
    except FileNotFoundError:
        return None
    for line in text.split("\n"):
        if line.startswith("@@BOOT "):
            boot = line.split()[1]
        elif line.startswith("ROW|") and not dumped:
            _, seq, b = line.split("|", 2)
            rows[int(seq)] = b
        elif line.startswith("@@DUMPFAIL"):
            dump_failed = True
        elif line.startswith("@@DUMPED"):
            dumped = True
        else:
            m = stored_re.search(line)
            if m and dumped:
                reported.append(int(m.group(1)))
    return {"boot": boot, "rows": rows, "reported": reported, "dumped": dumped, "dump_failed": dump_failed}


boots = [parse(f"{work}/{disk}-{c}.log") for c in range(1, cycles + 2)]
total = survived = lost = reused = 0
per_cut, lost_examples, problems = [], [], []
seen_reported = {}
for c in range(cycles):
    this, after = boots[c], boots[c + 1]
    if not this or not after or not after["dumped"] or not this["boot"]:
        problems.append(f"cut {c + 1}: missing record (boot or dump)")
        continue
    n_lost = n_reused = 0
    if after["dump_failed"]:
        # sqlite3 could not read the outbox after the cut (e.g. the schema itself was never synced).
        problems.append(f"cut {c + 1}: the outbox could not be read after the cut")
    for seq in this["reported"]:
        total += 1
        if seq in seen_reported and seen_reported[seq] != this["boot"]:
            n_reused += 1
        seen_reported[seq] = this["boot"]
        got = after["rows"].get(seq)
        if got == this["boot"]:
            survived += 1
        elif got is None:
            n_lost += 1
            if len(lost_examples) < 10:
                lost_examples.append(f"cut {c + 1} seq {seq}")
        else:
            n_reused += 1
    lost += n_lost
    reused += n_reused
    per_cut.append({"cut": c + 1, "reported": len(this["reported"]), "lost": n_lost, "reused": n_reused,
                    "max_seq_reported": max(this["reported"], default=None)})
print(json.dumps({"stored": total, "survived": survived, "lost": lost, "reused": reused,
                  "per_cut": per_cut, "lost_examples": lost_examples, "problems": problems}))
