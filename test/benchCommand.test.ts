import { spawnSync } from "child_process";
import * as path from "path";

const root = path.join(__dirname, "..");

/** Runs `npm run bench -- <args>` the way npm does, without npm. */
function bench(...args: string[]) {
    return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/bench.ts", ...args], {
        cwd: root,
        encoding: "utf8",
    });
}

describe("npm run bench refuses a bad command line with its usage, not a stack trace", () => {
    it.each([
        // What node:util's parseArgs refuses.
        [["--skip-pure"], "Unknown option '--skip-pure'"],
        [["--users"], "Option '--users <value>' argument missing"],
        [["--real", "extra"], "Unexpected argument 'extra'"],
        // Counts that are not whole numbers above 0, each named with its value.
        [["--users", "many"], '--users must be a whole number above 0, not "many"'],
        [["--users", "1.5"], '--users must be a whole number above 0, not "1.5"'],
        [["--repeat", "0"], '--repeat must be a whole number above 0, not "0"'],
        [["--real-users=-3"], '--real-users must be a whole number above 0, not "-3"'],
        [["--users", "1e3"], '--users must be a whole number above 0, not "1e3"'],
    ])("%j", (args, message) => {
        const run = bench(...args);
        expect(run.status).toBe(2);
        expect(run.stderr).toContain(message);
        expect(run.stderr).toContain("npm run bench -- [options]");
        expect(run.stderr).not.toMatch(/^\s+at /m);
        expect(run.stdout).not.toContain("[bench]");
    });
});
