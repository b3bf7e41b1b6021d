import { heapGrowingPercent, limitHeapGrowth, limitStackTraces, nodeFlagGiven } from "./runtimeSettings";

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
    test.each([
        ["nothing given, outside Jest", {}, [], true],
        ["a heap cap only: the factor still applies under it", { NODE_OPTIONS: "--max-old-space-size=640" }, [], true],
        ["a factor in NODE_OPTIONS", { NODE_OPTIONS: "--heap-growing-percent=50" }, [], false],
        ["V8's own choice asked for in the node arguments", {}, ["--heap-growing-percent=0"], false],
        ["inside Jest", { JEST_WORKER_ID: "1" }, [], false],
    ])("%s", (_, env, execArgv, sets) => {
        const set: string[] = [];
        expect(limitHeapGrowth(env as NodeJS.ProcessEnv, execArgv as string[], (flags) => set.push(flags))).toBe(sets);
        expect(set).toEqual(sets ? [`--heap-growing-percent=${heapGrowingPercent}`] : []);
    });
});
