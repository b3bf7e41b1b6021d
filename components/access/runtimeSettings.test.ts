import {
    heapGrowingPercent,
    heapGrowingPercentVariable,
    limitHeapGrowth,
    limitStackTraces,
    nodeFlagGiven,
} from "./runtimeSettings";

describe("nodeFlagGiven", () => {
    test.each([
        ["in the node arguments", {}, ["--stack-trace-limit=50"], true],
        [
            "in NODE_OPTIONS, among others",
            { NODE_OPTIONS: "--max-old-space-size=4096 --stack-trace-limit=20" },
            [],
            true,
        ],
        ["bare, without a value", { NODE_OPTIONS: "--stack-trace-limit" }, [], true],
        ["not given", { NODE_OPTIONS: "--max-old-space-size=4096" }, ["--inspect"], false],
        ["a longer flag that starts the same", { NODE_OPTIONS: "--stack-trace-limit-extra=1" }, [], false],
        ["only inside another flag's value", { NODE_OPTIONS: "--title=--stack-trace-limit" }, [], false],
    ])("%s", (_, env, execArgv, given) => {
        expect(nodeFlagGiven("stack-trace-limit", env as NodeJS.ProcessEnv, execArgv as string[])).toBe(given);
    });
});

describe("limitStackTraces", () => {
    const original = Error.stackTraceLimit;
    afterEach(() => {
        Error.stackTraceLimit = original;
    });

    test.each([
        ["nothing given, outside Jest", {}, [], true],
        ["a limit in the node arguments", {}, ["--stack-trace-limit=50"], false],
        ["a limit in NODE_OPTIONS", { NODE_OPTIONS: "--max-old-space-size=4096 --stack-trace-limit=20" }, [], false],
        ["other NODE_OPTIONS", { NODE_OPTIONS: "--max-old-space-size=4096" }, [], true],
        ["inside Jest", { JEST_WORKER_ID: "1" }, [], false],
    ])("%s", (_, env, execArgv, sets) => {
        Error.stackTraceLimit = 10;
        expect(limitStackTraces(env as NodeJS.ProcessEnv, execArgv as string[])).toBe(sets);
        expect(Error.stackTraceLimit).toBe(sets ? 0 : 10);
        if (sets) expect(new Error("x").stack).toBe("Error: x");
        else expect(new Error("x").stack).toMatch(/^Error: x\n {4}at /);
    });
});

describe("limitHeapGrowth", () => {
    const variable = heapGrowingPercentVariable;
    test.each([
        ["nothing given, outside Jest", {}, [], heapGrowingPercent],
        [
            "a heap cap only: the factor still applies under it",
            { NODE_OPTIONS: "--max-old-space-size=640" },
            [],
            heapGrowingPercent,
        ],
        ["another percent in the variable", { [variable]: "50" }, [], 50],
        ["the variable with spaces around", { [variable]: " 35 " }, [], 35],
        ["the variable empty: the default", { [variable]: "" }, [], heapGrowingPercent],
        ["V8's own choice in the variable", { [variable]: "0" }, [], undefined],
        ["the flag in Node.js's arguments (runtime.options.nodeargs)", {}, ["--heap-growing-percent=50"], undefined],
        ["inside Jest", { JEST_WORKER_ID: "1" }, [], undefined],
    ])("%s", (_, env, execArgv, expected) => {
        const set: string[] = [];
        const setFlags = (flags: string) => set.push(flags);
        expect(limitHeapGrowth(env as NodeJS.ProcessEnv, execArgv as string[], setFlags)).toBe(expected);
        expect(set).toEqual(expected === undefined ? [] : [`--heap-growing-percent=${expected}`]);
    });

    test.each(["abc", "-5", "1.5", "20%", "1001", "99999", "0x10"])(
        "refuses %j in the variable, naming it and how to fix it, and sets nothing",
        (value) => {
            const set: string[] = [];
            const run = () => limitHeapGrowth({ [variable]: value }, [], (flags) => set.push(flags));
            expect(run).toThrow(`${variable} must be a whole number of percent from 0 to 1000`);
            expect(run).toThrow(`not "${value}": unset it to use the default of ${heapGrowingPercent}`);
            expect(set).toEqual([]);
        },
    );
});
