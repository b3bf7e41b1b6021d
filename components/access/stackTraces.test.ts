import { limitStackTraces } from "./stackTraces";

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
