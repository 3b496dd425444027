"""Compares what the kiosk reported stored with what central received.

    python3 tally.py STORED DELIVERED [--field NAME]

STORED: `gridlinkctl sim press` replies ("stored seq N <kind> (short) id <uuid> …"), or lines
"seq N id <uuid>". DELIVERED: one event payload (JSON) per line, as mosquitto_sub -F '%p' prints.
Prints {"stored", "delivered", "lost", "duplicated", "seq_reused", "lost_seqs"} as JSON, or one
field. lost: reported stored, never delivered. duplicated: deliveries beyond the first of an id.
seq_reused: seqs carried by more than one id (among deliveries and reports together).
"""
import json
import re
import sys

args = sys.argv[1:]
field = None
if "--field" in args:
    i = args.index("--field")
    field = args[i + 1]
    del args[i:i + 2]
stored_path, delivered_path = args

pattern = re.compile(r"seq (\d+) .*?id ([0-9a-f-]{36})")
stored = {}
with open(stored_path, errors="replace") as f:
    for line in f:
        m = pattern.search(line)
        if m:
            stored[m.group(2)] = int(m.group(1))

seen = {}
duplicates = 0
try:
    with open(delivered_path, errors="replace") as f:
        for line in f:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if not isinstance(ev, dict) or "id" not in ev:
                continue
            if ev["id"] in seen:
                duplicates += 1
            else:
                seen[ev["id"]] = ev.get("seq")
except FileNotFoundError:
    pass

ids_by_seq = {}
for source in (stored, seen):
    for ident, seq in source.items():
        ids_by_seq.setdefault(seq, set()).add(ident)
lost = sorted(seq for ident, seq in stored.items() if ident not in seen)
result = {
    "stored": len(stored),
    "delivered": sum(1 for ident in stored if ident in seen),
    "delivered_total": len(seen),
    "lost": len(lost),
    "duplicated": duplicates,
    "seq_reused": sum(1 for ids in ids_by_seq.values() if len(ids) > 1),
    "lost_seqs": lost[:20],
}
print(result[field] if field else json.dumps(result))
