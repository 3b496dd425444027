"""A TCP relay that delays every byte by a configurable time, for tools/torture's partition
scenario (the host kernel has no netem).

    python3 delay_proxy.py LISTEN_ADDR LISTEN_PORT TARGET_ADDR TARGET_PORT DELAY_FILE

DELAY_FILE holds the one-way delay in seconds (e.g. 0.3); it is read as data arrives, so writing
it changes the delay of what comes next. Order is kept: each direction is one queue.
"""
import asyncio
import sys
import time

listen_addr, listen_port, target_addr, target_port, delay_file = sys.argv[1:6]


def delay():
    try:
        with open(delay_file) as f:
            return max(0.0, float(f.read().strip() or 0))
    except (OSError, ValueError):
        return 0.0


async def pump(reader, writer):
    queue = asyncio.Queue()

    async def send():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(send())
    try:
        while True:
            data = await reader.read(16384)
            if not data:
                break
            queue.put_nowait((time.monotonic() + delay(), data))
    except OSError:
        pass
    queue.put_nowait((0, None))
    try:
        await sender
    except OSError:
        pass


async def handle(client_reader, client_writer):
    try:
        server_reader, server_writer = await asyncio.open_connection(target_addr, int(target_port))
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, server_writer), pump(server_reader, client_writer))


async def main():
    server = await asyncio.start_server(handle, listen_addr, int(listen_port))
    async with server:
        await server.serve_forever()


asyncio.run(main())
