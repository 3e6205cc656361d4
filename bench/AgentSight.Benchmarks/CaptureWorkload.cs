namespace AgentSight.Benchmarks;

/// <summary>
/// The workload of the capture benchmark, as the issue states it: HTTPS requests over one kept-alive connection,
/// a Python client and a Python server (a child of the client, so both are traced) on loopback. Each side counts
/// its own TLS calls, so the events expected are known exactly: one SSL_write_ex per request and per response, one
/// SSL_read_ex for each (small messages fit in one TLS record), plus the two handshakes.
/// </summary>
internal static class CaptureWorkload
{
    public const int WarmupRequests = 100;

    public const string Script = """
        import json, os, socket, ssl, sys, time
        n, cert, key, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
        body = json.dumps({"id": "msg_01", "type": "message", "role": "assistant",
                           "content": [{"type": "text", "text": "Hello! " * 120}]}).encode()
        response = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        request = (b"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   b"Content-Length: 47\r\n\r\n{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64}")
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        r, w = os.pipe()
        server = os.fork()
        if server == 0:
            os.close(r)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            conn, _ = listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s = ctx.wrap_socket(conn, server_side=True)
            reads = writes = 0
            pending = b""
            while True:
                data = s.recv(65536)
                if not data:
                    break
                reads += 1
                pending += data
                while len(pending) >= len(request):
                    pending = pending[len(request):]
                    s.sendall(response)
                    writes += 1
            os.write(w, json.dumps({"reads": reads, "writes": writes}).encode())
            os._exit(0)
        os.close(w)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        sock = socket.create_connection(("127.0.0.1", listener.getsockname()[1]))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s = ctx.wrap_socket(sock)
        reads = writes = 0
        def once():
            global reads, writes
            s.sendall(request)
            writes += 1
            got = 0
            while got < len(response):
                got += len(s.recv(65536))
                reads += 1
        for _ in range(100):
            once()
        started = time.perf_counter()
        for _ in range(n):
            once()
        elapsed = time.perf_counter() - started
        s.close()
        os.waitpid(server, 0)
        counts = json.loads(os.read(r, 4096))
        with open(out, "w") as f:
            json.dump({"per_request_us": elapsed / n * 1e6, "calls": reads + writes + counts["reads"] + counts["writes"]}, f)
        """;
}
