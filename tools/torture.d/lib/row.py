"""Prints one tools/torture result row: python3 row.py key=value ... (see common.sh tt_row)."""
import json
import sys

row = {}
for arg in sys.argv[1:]:
    key, _, value = arg.partition("=")
    if value in ("true", "false", "null"):
        row[key] = json.loads(value)
    else:
        try:
            row[key] = int(value)
        except ValueError:
            try:
                row[key] = float(value)
            except ValueError:
                row[key] = value
print(json.dumps(row, ensure_ascii=False), flush=True)
