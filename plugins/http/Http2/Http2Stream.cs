namespace AgentSight.Plugins.Http.Http2;

/// <summary>One HTTP/2 stream: one exchange, its request (the client's frames) and its response (the server's).</summary>
internal sealed class Http2Stream(int id, long order, HttpExchange exchange)
{
    public int Id { get; } = id;

    /// <summary>Creation order on the connection (exchanges are cut in this order).</summary>
    public long Order { get; } = order;

    public HttpExchange Exchange { get; } = exchange;

    /// <summary>The request's body (and message), once anything of the request was seen.</summary>
    public Http2Body? Request { get; set; }

    /// <summary>The response's body (and message), once a final head or a DATA frame of the response was seen.</summary>
    public Http2Body? Response { get; set; }

    /// <summary>The client's side ended (END_STREAM, or a pushed request, which has no body).</summary>
    public bool RequestEnded { get; set; }

    /// <summary>The server's side ended.</summary>
    public bool ResponseEnded { get; set; }

    /// <summary>
    /// The direction whose frames made this stream while its frame boundaries were a guess (a read joined in the
    /// middle, or found again after a loss), and which finding of them; null otherwise.
    /// </summary>
    public (Http2FrameReader Reader, int Sync)? MadeOnGuess { get; init; }

    /// <summary>True while the guess this stream was made on is neither confirmed nor disproved.</summary>
    public bool Provisional => MadeOnGuess is var (reader, sync) && reader.Unconfirmed && reader.Sync == sync;

    /// <summary>This stream's place in the connection's least-recently-used list.</summary>
    public LinkedListNode<Http2Stream>? Lru { get; set; }

    /// <summary>The body of one side.</summary>
    public Http2Body? Side(bool fromClient) => fromClient ? Request : Response;

    /// <summary>Bytes held by the bodies.</summary>
    public long BufferedBytes => (Request?.Message.Body?.Capacity ?? 0) + (Response?.Message.Body?.Capacity ?? 0);
}
