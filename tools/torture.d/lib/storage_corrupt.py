"""The corrupt-outbox scenarios: 2,000 routine rows stored with the broker unreachable, the daemon
stopped, the file damaged, the daemon started against the real broker."""
import os, subprocess, sys, time
from storage_common import *

ROWS = 2000


def run(fault, does, damage):
    state = os.path.join(WORK, "state")
    os.makedirs(state, exist_ok=True)
    broker = Broker(); broker.start()
    central = Central(broker)
    first = Daemon(state, "127.0.0.1:1")
    first.start()
    filled = first.ctl("sim", "event", "gate.entry", "--count", str(ROWS), "--json")
    first.stop()
    database = os.path.join(state, "outbox.sqlite")
    seqs = [int(s) for s in subprocess.run(["sqlite3", database, "SELECT seq FROM events ORDER BY seq"], capture_output=True, text=True).stdout.split()]
    leaves = [tuple(map(int, l.split("|"))) for l in subprocess.run(
        ["sqlite3", database, "SELECT pageno, ncell FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' ORDER BY path"],
        capture_output=True, text=True).stdout.split()]
    by_page, i = {}, 0
    for page, cells in leaves:
        by_page[page] = seqs[i:i + cells]; i += cells
    damaged_pages = damage(database)
    intact = {s for p, ss in by_page.items() if p not in damaged_pages for s in ss}

    daemon = Daemon(state, f"127.0.0.1:{broker.port}")
    started = time.time()
    daemon.start()
    press, why = daemon.press()
    recover_s = round(time.time() - started, 2) if press else None
    record = (daemon.storage().get("quarantines") or [{}])[0]
    wanted = len(intact) + 2  # salvaged rows, the alarm, the press
    deadline = time.time() + 60
    while time.time() < deadline and len({e["id"] for e in central.events()}) < wanted:
        time.sleep(0.2)
    events = central.events()
    arrived_rows = {e["seq"] for e in events if e["kind"] == "gate.entry"}
    alarm = next((e for e in events if e["kind"] == "device.store_quarantined"), None)
    ids = [e["id"] for e in events]
    stored = ROWS + 1
    delivered = len(arrived_rows) + (1 if press and press["id"] in ids else 0)
    lost = stored - delivered
    ok = press is not None and arrived_rows == intact and alarm is not None \
        and alarm["data"]["rows_salvaged"] == len(arrived_rows) and alarm["data"]["rows_lost"] == ROWS - len(arrived_rows) \
        and press["seq"] > alarm["data"]["seq_skipped_to"] and daemon.proc.poll() is None
    row(fault, does, stored, delivered, lost, len(ids) - len(set(ids)), recover_s, ok,
        f"{ROWS - len(intact)} rows were on damaged pages; salvage {record.get('methods')}; alarm rows_salvaged={alarm and alarm['data']['rows_salvaged']} rows_lost={alarm and alarm['data']['rows_lost']} "
        f"seqs {alarm and alarm['data']['seq_skipped_from']}–{alarm and alarm['data']['seq_skipped_to']} skipped; recover_s = gridlinkd start (incl. quarantine) → first press stored")
    daemon.stop()
    return ok


def overwrite(path, offset, count):
    with open(path, "r+b") as f:
        f.seek(offset); f.write(os.urandom(count))
