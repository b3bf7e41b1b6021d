import * as zlib from "zlib";
import { isStateFile, stateJsonBytes } from "../scripts/bench/stateFile";

describe("the bench finds the stack's state file however the backend stores it", () => {
    test.each([
        ["bench.json", true],
        ["bench.json.gz", true],
        ["bench.json.zst", true],
        ["bench.json.bak", false],
        ["bench.json.attrs", false],
        ["bench.json.zst.attrs", false],
        ["other-bench.json", false],
        ["bench.yaml", false],
    ])("%s: %s", (name, expected) => {
        expect(isStateFile(name, "bench")).toBe(expected);
    });
});

describe("stateJsonBytes: the state's size as JSON", () => {
    const exported = JSON.stringify(
        { version: 3, deployment: { resources: [{ urn: "u", outputs: { a: "b" } }] } },
        null,
        4,
    );
    const compact = Buffer.byteLength(JSON.stringify(JSON.parse(exported)));

    test("a JSON state file is its own size", () => {
        expect(stateJsonBytes("bench.json", 12345, exported)).toBe(12345);
    });

    test("a compressed one is the export compacted, not the compressed size", () => {
        const gzipped = zlib.gzipSync(exported).length;
        expect(stateJsonBytes("bench.json.gz", gzipped, exported)).toBe(compact);
        expect(stateJsonBytes("bench.json.zst", 10, exported)).toBe(compact);
        expect(compact).toBeLessThan(Buffer.byteLength(exported));
    });
});
