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
        [["--skip-pure"], "Unknown option '--skip-pure'"],
        [["--users"], "Option '--users <value>' argument missing"],
        [["--real", "extra"], "Unexpected argument 'extra'"],
    ])("%j", (args, message) => {
        const run = bench(...args);
        expect(run.status).toBe(2);
        expect(run.stderr).toContain(message);
        expect(run.stderr).toContain("npm run bench -- [--users N]");
        expect(run.stderr).not.toMatch(/^\s+at /m);
        expect(run.stdout).not.toContain("[bench]");
    });

    it("a number that is not one is refused the same way", () => {
        const run = bench("--users", "many");
        expect(run.status).toBe(2);
        expect(run.stderr).toContain("--users, --repeat and --real-users must be whole numbers above 0");
    });
});
