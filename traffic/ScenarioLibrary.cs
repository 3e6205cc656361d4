namespace AgentSight.Traffic;

/// <summary>
/// The tasks synthetic agents work on. Some answers are French or Japanese or carry emoji, so the traffic has
/// 2-, 3- and 4-byte UTF-8 characters for reads to cut in two.
/// </summary>
internal static class ScenarioLibrary
{
    public static readonly ToolSpec ReadFile = new("read_file", "Read a text file from the workspace.",
        """{"type":"object","properties":{"path":{"type":"string","description":"Path relative to the workspace root"}},"required":["path"]}""");

    public static readonly ToolSpec RunCommand = new("run_command", "Run a shell command in the workspace and return its output.",
        """{"type":"object","properties":{"command":{"type":"string","description":"The command line"},"timeout_s":{"type":"integer","description":"Seconds before the command is stopped"}},"required":["command"]}""");

    public static readonly ToolSpec SearchCode = new("search_code", "Search the workspace for a regular expression.",
        """{"type":"object","properties":{"pattern":{"type":"string"},"path":{"type":"string","description":"Folder to search"}},"required":["pattern"]}""");

    public static readonly ToolSpec WriteFile = new("write_file", "Replace a file's content.",
        """{"type":"object","properties":{"path":{"type":"string"},"content":{"type":"string"}},"required":["path","content"]}""");

    public static IReadOnlyList<string> SystemPrompts { get; } =
    [
        "You are a coding agent working in the repository at /home/dev/agentsight. Use the tools to inspect files and run "
            + "commands before answering. Be concise, cite file paths, and never invent command output.",
        "You are a helpful assistant embedded in a terminal. Answer in the user's language. Prefer short answers, with code "
            + "blocks where they help.",
    ];

    public const string TitleSystemPrompt =
        "Summarize the coding session below as a short title of at most six words. Reply with the title only.";

    /// <summary>An earlier exchange some sessions start with.</summary>
    public static IReadOnlyList<(string User, string Assistant)> Openers { get; } =
    [
        ("hi", "Hi! What are we working on today?"),
        ("Are you there?", "Yes — ready when you are. 👋"),
    ];

    public static IReadOnlyList<string> Closings { get; } =
    [
        "\n\nWant me to run the full test suite next?",
        "\n\nLet me know if anything else needs a look.",
        "\n\nHappy to dig further if this doesn't explain it.",
    ];

    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("fix-test",
            "The test `test_parse_chunked` started failing after my last commit. Can you find out why and fix it?",
            [ReadFile, RunCommand],
            [
                new("Let me run the failing test first.", "run_command", """{"command":"pytest tests/test_parser.py -x -q"}""",
                    "F\n=================================== FAILURES ===================================\n"
                    + "______________________________ test_parse_chunked ______________________________\n\n"
                    + "    def test_parse_chunked():\n"
                    + ">       assert parse_chunked(b\"1a\\r\\nabcdefghijklmnopqrstuvwxyz\\r\\n0\\r\\n\\r\\n\") == b\"abcdefghijklmnopqrstuvwxyz\"\n"
                    + "E       ValueError: invalid literal for int() with base 10: b'1a'\n\n"
                    + "tests/test_parser.py:12: ValueError\n1 failed in 0.04s\n"),
                new("The chunk size is parsed as a decimal number. Let me check the parser.", "read_file", """{"path":"src/parser.py"}""",
                    "def parse_chunked(data: bytes) -> bytes:\n"
                    + "    body, rest = b\"\", data\n"
                    + "    while True:\n"
                    + "        size_line, rest = rest.split(b\"\\r\\n\", 1)\n"
                    + "        size = int(size_line)\n"
                    + "        if size == 0:\n"
                    + "            return body\n"
                    + "        body, rest = body + rest[:size], rest[size + 2:]\n"),
                new("Found it: `parse_chunked` reads the chunk size with `int(size_line)`, but chunk sizes in HTTP/1.1 are "
                    + "**hexadecimal** (RFC 9112 §7.1). Your new test uses a 26-byte chunk (`1a`), which decimal parsing rejects.\n\n"
                    + "Fix in `src/parser.py`:\n\n```python\nsize = int(size_line.split(b\";\", 1)[0], 16)\n```\n\n"
                    + "The `split` also ignores chunk extensions such as `1a;name=value`. Run `pytest tests/test_parser.py -q` "
                    + "again to confirm."),
            ],
            "Fix hex chunk size parsing", MayAddClosing: true),

        new("readme-fr",
            "Peux-tu résumer le README du projet en trois phrases ?",
            [ReadFile],
            [
                new("", "read_file", """{"path":"README.md"}""",
                    "# AgentSight\n\nAgentSight observes AI agents from outside: it captures decrypted TLS traffic, process starts "
                    + "and file opens with eBPF, and turns them into LLM calls you can inspect.\n\n## Quick start\n\n"
                    + "    sudo agentsight record -c claude\n"),
                new("Voici le résumé en trois phrases :\n\n"
                    + "1. **AgentSight** observe les agents IA de l'extérieur, sans modifier leur code.\n"
                    + "2. Grâce à eBPF, il capture le trafic TLS déchiffré, les lancements de processus et les ouvertures de fichiers.\n"
                    + "3. Ces événements sont regroupés en appels LLM que l'on peut inspecter — pratique pour comprendre un agent "
                    + "« boîte noire ». ✅"),
            ],
            "Résumé du README", MayAddClosing: false),

        new("banner-ja",
            "Add a Japanese greeting to the welcome banner in src/banner.ts.",
            [ReadFile, WriteFile],
            [
                new("", "read_file", """{"path":"src/banner.ts"}""",
                    "export const banner = [\n  \"Welcome to AgentSight\",\n  \"Bienvenue\",\n];\n"),
                new("I'll add the greeting after the French one.", "write_file",
                    """{"path":"src/banner.ts","content":"export const banner = [\n  \"Welcome to AgentSight\",\n  \"Bienvenue\",\n  \"ようこそ\",\n];\n"}""",
                    "wrote src/banner.ts (5 lines)"),
                new("Done! The banner now ends with **ようこそ** (\"welcome\"), next to the English and French lines:\n\n"
                    + "```ts\nexport const banner = [\n  \"Welcome to AgentSight\",\n  \"Bienvenue\",\n  \"ようこそ\",\n];\n```\n\n"
                    + "日本語の挨拶を追加しました 🎌"),
            ],
            "Japanese greeting in banner", MayAddClosing: false),

        new("haiku",
            "Write a haiku about eBPF probes watching an AI agent.",
            [],
            [new("Hooks in the kernel\nwatch each token cross the wire —\nthe agent, revealed. 🐝")],
            "eBPF haiku", MayAddClosing: false),

        new("econnreset",
            "What does this error mean?\n\n```\nError: read ECONNRESET\n    at TLSWrap.onStreamRead (node:internal/stream_base_commons:216:20)\n```",
            [],
            [
                new("`ECONNRESET` means the other side closed the TCP connection abruptly (it sent a RST) while Node was still "
                    + "reading from it.\n\nCommon causes:\n"
                    + "- the server or a proxy timed out an idle **keep-alive** connection and Node reused it;\n"
                    + "- a load balancer dropped the connection mid-response;\n"
                    + "- the remote process crashed.\n\n"
                    + "Retrying the request on a fresh connection usually works. If it happens often, keep the agent's idle "
                    + "keep-alive timeout below the server's."),
            ],
            "Explain ECONNRESET error", MayAddClosing: true),

        new("todos",
            "List the TODOs left in src/ and tell me which one matters most.",
            [SearchCode, ReadFile],
            [
                new("Searching for TODO comments.", "search_code", """{"pattern":"TODO","path":"src"}""",
                    "src/replay.rs:88: // TODO: handle CRLF line endings\n"
                    + "src/sse.rs:142: // TODO: flush streams that never send message_stop\n"
                    + "src/main.rs:17: // TODO: nicer --help text\n"),
                new("There are three TODOs in `src/`:\n\n| File | Line | Note |\n|---|---|---|\n"
                    + "| `src/sse.rs` | 142 | flush streams that never send `message_stop` |\n"
                    + "| `src/replay.rs` | 88 | handle CRLF line endings |\n"
                    + "| `src/main.rs` | 17 | nicer `--help` text |\n\n"
                    + "The one in `src/sse.rs` matters most → without it, OpenAI and Gemini streams are held in memory forever "
                    + "and never logged."),
            ],
            "Review TODOs in src", MayAddClosing: true),

        new("git-log",
            "Summarize what changed in the last five commits.",
            [RunCommand],
            [
                new("", "run_command", """{"command":"git log --oneline -5"}""",
                    "a1c9e3f Fix naïve retry loop in uploader\n7b2d410 Add Gemini SSE support\n3e8f0aa Bump version to 0.4.1\n"
                    + "91c77d2 Handle gzip responses\n0d4e6b1 Initial replay runner\n"),
                new("The last five commits, newest first:\n\n"
                    + "1. **a1c9e3f** fixes the naïve retry loop in the uploader.\n"
                    + "2. **7b2d410** adds Gemini SSE support.\n"
                    + "3. **3e8f0aa** bumps the version to 0.4.1.\n"
                    + "4. **91c77d2** handles gzip-compressed responses.\n"
                    + "5. **0d4e6b1** introduces the replay runner.\n\n"
                    + "Mostly protocol support and robustness work 🚀"),
            ],
            "Summarize recent commits", MayAddClosing: true),

        new("regex",
            "Explain this regex: ^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$",
            [],
            [
                new("It matches a whole string that looks like an e-mail address:\n\n"
                    + "- `^[a-z0-9._%+-]+` — one or more lowercase letters, digits or `._%+-` for the local part,\n"
                    + "- `@` — the at sign,\n"
                    + "- `[a-z0-9.-]+` — the domain name,\n"
                    + "- `\\.[a-z]{2,}$` — a dot and a top-level domain of two letters or more, up to the end.\n\n"
                    + "It is deliberately naïve: uppercase letters and internationalised domains (like `exemple.café`) do not match."),
            ],
            "Explain e-mail regex", MayAddClosing: true),
    ];
}
