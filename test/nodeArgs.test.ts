import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectNodeArgs, withNodeOptions } from "./harness/nodeArgs";
import { repoRoot } from "./harness/toolEnv";

/** Holds the tests' project folders; removed after them. */
const root = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-nodeargs-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function emptyFolder(): string {
    return fs.mkdtempSync(path.join(root, "project-"));
}

function projectWith(pulumiYaml: string): string {
    const dir = emptyFolder();
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), pulumiYaml);
    return dir;
}

describe("projectNodeArgs", () => {
    test.each([
        ["the short runtime form", "name: p\nruntime: nodejs\n", []],
        [
            "runtime options without nodeargs",
            "name: p\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
            [],
        ],
        ["one flag", "name: p\nruntime:\n  name: nodejs\n  options:\n    nodeargs: --expose-gc\n", ["--expose-gc"]],
        [
            "several flags, spaced unevenly",
            'name: p\nruntime:\n  name: nodejs\n  options:\n    nodeargs: "  --max-semi-space-size=64   --stack-trace-limit=5 "\n',
            ["--max-semi-space-size=64", "--stack-trace-limit=5"],
        ],
        ["nodeargs that is not text", "name: p\nruntime:\n  name: nodejs\n  options:\n    nodeargs: 32\n", []],
    ])("%s", (_label, yaml, expected) => {
        expect(projectNodeArgs(projectWith(yaml))).toEqual(expected);
    });

    test("a folder without Pulumi.yaml is an error", () => {
        expect(() => projectNodeArgs(emptyFolder())).toThrow(/Pulumi\.yaml/);
    });

    test("kube-access's own Pulumi.yaml asks for 64 MiB semi-spaces", () => {
        expect(projectNodeArgs(repoRoot)).toEqual(["--max-semi-space-size=64"]);
    });
});

describe("withNodeOptions", () => {
    test.each([
        ["nothing either side", undefined, [], undefined],
        ["only blanks", "  ", [], undefined],
        ["the project's alone", undefined, ["--max-semi-space-size=32"], "--max-semi-space-size=32"],
        [
            "the project's after the caller's, so that they win as on a released host's command line",
            "--max-old-space-size=4096  --max-semi-space-size=64",
            ["--max-semi-space-size=32"],
            "--max-old-space-size=4096 --max-semi-space-size=64 --max-semi-space-size=32",
        ],
        ["the caller's alone", "--stack-trace-limit=20", [], "--stack-trace-limit=20"],
    ])("%s", (_label, nodeOptions, args, expected) => {
        expect(withNodeOptions(nodeOptions, args)).toBe(expected);
    });

    // Node.js refuses to start on a flag NODE_OPTIONS may not hold: the project's must be one it may.
    test("Node.js starts with the project's arguments in NODE_OPTIONS, and they win over the caller's", () => {
        // V8's heap limit includes the young generation, three times the semi-space size
        // (https://nodejs.org/api/cli.html#--max-semi-space-sizesize-in-mib), and is fixed at start.
        const heapLimitMiB = (nodeOptions: string | undefined) => {
            const child = spawnSync(
                process.execPath,
                ["-e", 'console.log(require("v8").getHeapStatistics().heap_size_limit / 1048576)'],
                { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: nodeOptions ?? "" } },
            );
            expect(child.stderr).toBe("");
            return Number(child.stdout.trim());
        };
        const project = heapLimitMiB(withNodeOptions(undefined, projectNodeArgs(repoRoot)));
        const byDefault = heapLimitMiB(undefined);
        const small = heapLimitMiB("--max-semi-space-size=8");
        expect(project).toBeGreaterThan(byDefault);
        expect(small).toBeLessThan(byDefault);
        // 64 MiB semi-spaces against 8: 3 x 56 MiB more.
        expect(project - small).toBe(3 * (64 - 8));
        expect(heapLimitMiB(withNodeOptions("--max-semi-space-size=8", projectNodeArgs(repoRoot)))).toBe(project);
    });
});

describe("the dynamic providers' launcher (tools/engine/pulumi-nodejs/launcher.sh)", () => {
    /** The launcher installed as the plugin, with a stand-in for Pulumi's own launcher that prints what it got. */
    function installed(): string {
        const dir = emptyFolder();
        const plugin = path.join(dir, "pulumi-resource-pulumi-nodejs");
        fs.copyFileSync(path.join(repoRoot, "tools", "engine", "pulumi-nodejs", "launcher.sh"), plugin);
        fs.writeFileSync(`${plugin}.sdk`, '#!/bin/sh\nprintf "%s|%s" "$NODE_OPTIONS" "$*"\n');
        fs.chmodSync(plugin, 0o755);
        fs.chmodSync(`${plugin}.sdk`, 0o755);
        return plugin;
    }

    function run(env: Record<string, string>): string {
        const result = spawnSync(installed(), ["127.0.0.1:4242", "--flag"], {
            encoding: "utf8",
            env: { PATH: process.env.PATH, ...env },
        });
        expect(result.status).toBe(0);
        return result.stdout;
    }

    test.each([
        ["the caller's alone when the harness names them", "--a --max-semi-space-size=64", "--a", "--a"],
        ["none when the caller gave none", "--max-semi-space-size=64", "", ""],
    ])("it starts Pulumi's launcher with NODE_OPTIONS %s, and its arguments", (_, given, caller, expected) => {
        expect(run({ NODE_OPTIONS: given, KUBE_ACCESS_ENGINE_NODE_OPTIONS: caller })).toBe(
            `${expected}|127.0.0.1:4242 --flag`,
        );
    });

    test("without KUBE_ACCESS_ENGINE_NODE_OPTIONS (outside the harness) NODE_OPTIONS is left as it is", () => {
        expect(run({ NODE_OPTIONS: "--max-semi-space-size=64" })).toBe(
            "--max-semi-space-size=64|127.0.0.1:4242 --flag",
        );
    });
});
