import { run } from "./harness/toolEnv";

/*
 * run()'s echo: what the demo prints while a long step runs. Each line once,
 * whole, with one prefix, however the child's output is split into chunks and
 * whether or not the child prefixes its own lines (local-cluster.sh does).
 */
async function echoed(script: string, prefix = "[cluster]"): Promise<string[]> {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
        written.push(chunk.toString());
        return true;
    });
    try {
        await run("bash", ["-c", script], { echo: prefix });
    } finally {
        spy.mockRestore();
    }
    return written.join("").split("\n").slice(0, -1);
}

const cases: [string, string, string[]][] = [
    ["plain lines get the prefix", "echo one; echo two", ["[cluster] one", "[cluster] two"]],
    [
        "lines that already carry the prefix keep one ([cluster] [cluster] before)",
        "echo '[cluster] keycloak 26.5.6: cached'; echo done",
        ["[cluster] keycloak 26.5.6: cached", "[cluster] done"],
    ],
    [
        "a line written in pieces is echoed whole",
        "printf 'par'; sleep 0.2; printf 'tial\\nnext\\n'",
        ["[cluster] partial", "[cluster] next"],
    ],
    ["a last line without a newline is echoed at exit", "printf 'no newline'", ["[cluster] no newline"]],
    ["standard error too, without mixing half lines", "echo out; echo err >&2", ["[cluster] out", "[cluster] err"]],
    ["a line that merely starts like the prefix still gets it", "echo '[cluster]x'", ["[cluster] [cluster]x"]],
];

test.each(cases)("%s", async (_label, script, expected) => {
    expect((await echoed(script)).sort()).toEqual([...expected].sort());
});

test("a command that exits without reading the input it was given is not a failed run", async () => {
    for (let i = 0; i < 5; i++) {
        const result = await run("bash", ["-c", "exit 0"], { input: "x".repeat(1 << 20) });
        expect(result.code).toBe(0);
    }
});
