# The baseline server of the requests/s row: python3 asyncio, json-lines JSON-RPC on a unix socket.
import asyncio, json, sys
async def serve(reader, writer):
    while True:
        line = await reader.readline()
        if not line: break
        r = json.loads(line)
        writer.write(json.dumps({'jsonrpc': '2.0', 'result': r.get('params'), 'id': r['id']}).encode() + b'\n')
        await writer.drain()
    writer.close()
async def main():
    srv = await asyncio.start_unix_server(serve, sys.argv[1])
    print('listening', flush=True)
    await srv.serve_forever()
asyncio.run(main())
