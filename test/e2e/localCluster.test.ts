import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { portEnv } from "../harness/localCluster";
import { clusterPorts } from "../harness/ports";
import { repoRoot, run, toolEnv } from "../harness/toolEnv";

/*
 * tools/local-cluster.sh start / status / stop on a real cluster, after a
 * Keycloak start that re-augments: Keycloak's kc.sh then execs java, so the
 * pid file holds java's pid and not the wrapper's (what made `status` call a
 * running Keycloak stopped, `stop` leave it running and every later start
 * fail on its port). Its own ports (test/harness/ports.ts).
 */
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-cluster-restart-")));
const ports = clusterPorts.localCluster;
const env = toolEnv(portEnv(dir, ports));
const script = path.join(repoRoot, "tools", "local-cluster.sh");
const timings: string[] = [];

async function cluster(command: string) {
    const started = Date.now();
    const result = await run("bash", [script, command], { env, check: false });
    timings.push(`${command}: ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return result;
}

/** Processes that name the state dir on their command line: what the script started and still runs. */
function processesOfTheCluster(): string[] {
    const found: string[] = [];
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
            const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
            if (cmdline.includes(`${dir}/`)) found.push(`${pid}: ${cmdline.slice(0, 160)}`);
        } catch {
            // gone meanwhile
        }
    }
    return found;
}

async function portsInUse(): Promise<number[]> {
    const busy: number[] = [];
    for (const port of Object.values(ports)) {
        const probe = await run("bash", ["-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`], { check: false });
        if (probe.code === 0) busy.push(port);
    }
    return busy;
}

function keycloakPid(): number {
    return Number(fs.readFileSync(path.join(dir, "run", "keycloak.pid"), "utf8").trim());
}

/** The feature release of the Java whose bin/java is `exe`. */
function javaMajor(exe: string): number {
    const release = fs.readFileSync(path.join(path.dirname(path.dirname(exe)), "release"), "utf8");
    return Number(/^JAVA_VERSION="(?:1\.)?(\d+)/m.exec(release)![1]);
}

afterAll(async () => {
    await run("bash", [script, "stop"], { env, check: false });
    console.log(`[local-cluster] timings:\n  ${timings.join("\n  ")}`);
    if (!process.env.KUBE_ACCESS_KEEP_E2E) fs.rmSync(dir, { recursive: true, force: true });
});

test("after a re-augmenting Keycloak start: status, start and stop are right, and a restart works", async () => {
    expect(await portsInUse()).toEqual([]);
    const first = await cluster("start");
    expect({ code: first.code, stderr: first.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    expect((await cluster("stop")).code).toBe(0);

    // What a state dir holds before the machine has a saved dev build of Keycloak
    // (the first start anywhere): the distribution's own build, which start-dev
    // has to re-augment.
    const quarkus = path.join(dir, "keycloak", "home", "lib", "quarkus");
    fs.rmSync(quarkus, { recursive: true });
    fs.cpSync(path.join(env.KUBE_ACCESS_KEYCLOAK_HOME!, "lib", "quarkus"), quarkus, { recursive: true });

    const reaugmenting = await cluster("start");
    expect({ code: reaugmenting.code, stderr: reaugmenting.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    const log = fs.readFileSync(path.join(dir, "logs", "keycloak.log"), "utf8");
    expect(log).toContain("Updating the configuration and installing your custom providers");
    // kc.sh exec'd java after the re-augmentation: the pid file now names java itself.
    const exe = fs.readlinkSync(`/proc/${keycloakPid()}/exe`);
    expect(exe).toMatch(/\/bin\/java$/);
    // The Java found for Keycloak is new enough, whatever `java` on PATH is.
    expect(javaMajor(exe)).toBeGreaterThanOrEqual(21);

    const status = await cluster("status");
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`keycloak\\s+running \\(pid ${keycloakPid()}\\), ready`));

    const again = await cluster("start");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already running");
    expect(again.stderr).not.toContain("already in use");

    const stop = await cluster("stop");
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/keycloak stopped/);
    expect(processesOfTheCluster()).toEqual([]);
    expect(await portsInUse()).toEqual([]);
    expect((await cluster("status")).code).not.toBe(0);

    const restart = await cluster("start");
    expect({ code: restart.code, stderr: restart.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    expect((await cluster("status")).code).toBe(0);
    expect((await cluster("stop")).code).toBe(0);
    expect(processesOfTheCluster()).toEqual([]);
    expect(await portsInUse()).toEqual([]);
});
