import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/*
 * tools/processes.sh decides, for tools/local-cluster.sh, whether a
 * process it started runs and what `stop` signals. These tests start real
 * processes of every tree shape the local cluster's programs take (and some
 * they might) and check `running`, `main_pid` and `stop_process` under the
 * same `set -euo pipefail` the script runs with.
 */
const library = path.resolve(__dirname, "..", "tools", "processes.sh");
const roots: string[] = [];
const strays: number[] = [];

/** Runs bash with the library sourced for state dir `dir`; returns stdout. */
function sh(dir: string, script: string, env: Record<string, string> = {}): string {
    return execFileSync(
        "bash",
        [
            "-c",
            `set -euo pipefail
             dir=$1 run=$1/run logs=$1/logs
             say() { echo "[cluster] $*"; }
             die() { echo "[cluster] ERROR: $*" >&2; exit 1; }
             . "$2"
             ${script}`,
            "bash",
            dir,
            library,
        ],
        { encoding: "utf8", env: { ...process.env, ...env } },
    );
}

function stateDir(): string {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-processes-")));
    roots.push(dir);
    return dir;
}

/** A process runs (exists and is not a zombie waiting to be reaped). */
function alive(pid: number): boolean {
    try {
        return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return false;
    }
}

function pidsOf(dir: string, name: string): number[] {
    return sh(dir, `pids_of ${name}`).split("\n").filter(Boolean).map(Number);
}

function isRunning(dir: string, name: string): boolean {
    return sh(dir, `if running ${name}; then echo yes; else echo no; fi`).trim() === "yes";
}

async function until(condition: () => boolean, what: string, seconds = 10): Promise<void> {
    const end = Date.now() + seconds * 1000;
    while (!condition()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

/** An unmarked process the test starts itself; its command line is `args`. */
function startUnmarked(command: string, args: string[]): number {
    const child = spawn(command, args, { detached: true, stdio: "ignore" });
    child.unref();
    strays.push(child.pid!);
    return child.pid!;
}

afterAll(() => {
    for (const dir of roots) {
        try {
            sh(dir, "for n in p legacy; do KUBE_ACCESS_STOP_TIMEOUT=1 stop_process $n >/dev/null; done");
        } catch {
            // best effort
        }
        fs.rmSync(dir, { recursive: true, force: true });
    }
    for (const pid of strays) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
});

// Each shape: the command `launch` starts, and how many processes run once it settled.
const shapes: [string, string, number][] = [
    ["the program itself", "sleep 300", 1],
    ["a wrapper that runs the program as its child (kc.sh)", `bash -c 'sleep 300 & wait'`, 2],
    [
        "a wrapper whose first run exits with 10 and that then execs the program (kc.sh after a re-augmentation)",
        `sh -c 'sh -c "exit 10"; exec sleep 300'`,
        1,
    ],
    ["a program that forks and lets its first process exit (a daemon)", `sh -c 'sleep 300 & exit 0'`, 1],
    ["a program under nested wrappers", `bash -c 'bash -c "sleep 300 & wait" & wait'`, 3],
];

describe.each(shapes)("a process started as %s", (_label, command, count) => {
    test("counts as running, whatever the pid file holds, and stop ends every process of it", async () => {
        const dir = stateDir();
        sh(dir, `launch p ${command}`);
        await until(() => pidsOf(dir, "p").length === count, `${count} process(es) of p`);
        const pids = pidsOf(dir, "p");
        expect(isRunning(dir, "p")).toBe(true);
        expect(pids).toContain(Number(sh(dir, "main_pid p").trim()));

        const out = sh(dir, "stop_process p");
        expect(out).toMatch(/^\[cluster\] p stopped \(pid \d+\)$/m);
        expect(pids.filter(alive)).toEqual([]);
        expect(isRunning(dir, "p")).toBe(false);
        expect(fs.existsSync(path.join(dir, "run", "p.pid"))).toBe(false);
        // A second stop has nothing to do.
        expect(sh(dir, "stop_process p")).toBe("");
    });
});

test("a process that ignores SIGTERM is killed after KUBE_ACCESS_STOP_TIMEOUT", async () => {
    const dir = stateDir();
    sh(dir, `launch p bash -c 'trap "" TERM; sleep 300 & wait'`);
    await until(() => pidsOf(dir, "p").length === 2, "bash and its sleep");
    const pids = pidsOf(dir, "p");
    const started = Date.now();
    const out = sh(dir, "stop_process p", { KUBE_ACCESS_STOP_TIMEOUT: "1" });
    expect(out).toMatch(/did not stop in 1s; killing/);
    expect(Date.now() - started).toBeLessThan(10000);
    expect(pids.filter(alive)).toEqual([]);
});

describe("processes that are not ours are neither counted nor signalled", () => {
    test("the pid file names a process the script did not start (pid reuse)", () => {
        const dir = stateDir();
        const other = startUnmarked("sleep", ["300"]);
        fs.mkdirSync(path.join(dir, "run"));
        fs.writeFileSync(path.join(dir, "run", "p.pid"), `${other}\n`);
        expect(isRunning(dir, "p")).toBe(false);
        expect(sh(dir, "stop_process p")).toBe("");
        expect(alive(other)).toBe(true);
    });

    test("a process of the same name started for another state dir", async () => {
        const mine = stateDir();
        const theirs = stateDir();
        sh(theirs, "launch p sleep 300");
        await until(() => pidsOf(theirs, "p").length === 1, "the other state dir's process");
        const [pid] = pidsOf(theirs, "p");
        expect(isRunning(mine, "p")).toBe(false);
        sh(mine, "stop_process p");
        expect(alive(pid)).toBe(true);
        sh(theirs, "stop_process p");
        expect(alive(pid)).toBe(false);
    });
});

test("a process started before processes were marked (pid file, state dir on its command line) is found and stopped with its children", async () => {
    const dir = stateDir();
    const wrapper = startUnmarked("bash", ["-c", "sleep 300; :", `${dir}/legacy-wrapper`]);
    fs.mkdirSync(path.join(dir, "run"));
    fs.writeFileSync(path.join(dir, "run", "legacy.pid"), `${wrapper}\n`);
    await until(() => pidsOf(dir, "legacy").length === 2, "the wrapper and its child");
    const pids = pidsOf(dir, "legacy");
    expect(pids[0]).toBe(wrapper);
    expect(isRunning(dir, "legacy")).toBe(true);
    sh(dir, "stop_process legacy");
    await until(() => pids.filter(alive).length === 0, "the legacy processes to end");
});

test("launched_alive tells a process that exited during startup from one still starting", async () => {
    const dir = stateDir();
    sh(dir, "launch p sh -c 'exit 3'");
    await until(() => sh(dir, "launched_alive p && echo yes || echo no").trim() === "no", "the exit");
    sh(dir, "launch q sleep 300");
    expect(sh(dir, "launched_alive q && echo yes || echo no").trim()).toBe("yes");
    sh(dir, "stop_process q");
});

test("a launched process keeps none of the caller's other descriptors: a flock(1) lock is released when the caller exits", async () => {
    const dir = stateDir();
    const lock = path.join(dir, "lock");
    // As `flock <lock> tools/local-cluster.sh start` runs it: the lock's descriptor is inherited by the script.
    execFileSync("flock", [
        lock,
        "bash",
        "-c",
        `. "${library}"; dir=$0 run=$0/run logs=$0/logs; launch p sleep 300`,
        dir,
    ]);
    const [pid] = pidsOf(dir, "p");
    expect(alive(pid)).toBe(true);
    const descriptors = fs.readdirSync(`/proc/${pid}/fd`).map((fd) => fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
    expect(descriptors).not.toContain(lock);
    expect(descriptors.length).toBeLessThanOrEqual(3);
    // Taken again at once, without waiting for the process.
    execFileSync("flock", ["--nonblock", lock, "true"]);
});

test("the library has no pipeline that ends in a reader that may exit early", () => {
    const text = fs.readFileSync(library, "utf8");
    const code = text
        .split("\n")
        .filter((line) => !line.trim().startsWith("#"))
        .join("\n");
    expect(code).not.toMatch(/\|\s*(grep\s+-[a-zA-Z]*q|head\b)/);
});
