import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run, runScriptViaNpm, toolEnv } from "../harness/toolEnv";

/*
 * How `npm run recover` and `npm run access-report` find the stack's project
 * folder (scripts/lib/projectFolder.ts), with the real pulumi CLI and a file
 * backend; no cluster. `npm run kubeconfig`'s cases are in
 * kubeconfigScript.test.ts.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-project-folder-"));
const project = path.join(dir, "team-a");
const env = {
    ...toolEnv(),
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(12).toString("hex"),
};

beforeAll(async () => {
    fs.mkdirSync(project, { recursive: true });
    fs.mkdirSync(path.join(dir, "state"));
    fs.mkdirSync(path.join(dir, "empty"));
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: team-a\nruntime: nodejs\n");
    await run("pulumi", ["stack", "init", "t", "--no-select", "--non-interactive"], { cwd: project, env });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const viaNpm = (command: string, folder: string, args: string[]) => runScriptViaNpm(command, folder, args, env);

describe("npm run recover", () => {
    test("started in a project folder: that project's stack, named in its first line", async () => {
        const result = await viaNpm("recover", project, ["--stack", "t"]);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(`recover: stack t of the project in ${project}: 0 pending operation(s)`);
    });

    test("--cwd relative to where it was started", async () => {
        const result = await viaNpm("recover", dir, ["--stack", "t", "--cwd", "team-a"]);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(`of the project in ${project}:`);
    });

    test.each([
        ["a folder with no Pulumi.yaml", "empty", "has no Pulumi.yaml"],
        ["a folder that does not exist", "nowhere", "does not exist"],
    ])("--cwd naming %s is a usage error (exit 2, with the usage line)", async (_, folder, problem) => {
        const result = await viaNpm("recover", dir, ["--stack", "t", "--cwd", folder]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain(`recover: ${path.join(dir, folder)} ${problem}: give --cwd <project folder>`);
        expect(result.stderr).toContain("usage: npm run recover --");
    });

    test("a stack the backend does not have: one line that says where it looked and what to do, no engine dump", async () => {
        const result = await viaNpm("recover", project, ["--stack", "nope"]);
        expect(result.code).toBe(1);
        expect(result.stderr.trim()).toBe(
            `recover: no stack named "nope" in the backend for the project in ${project}: give --stack <stack> ` +
                "or --cwd <project folder>, or log in to the stack's backend (`pulumi login`); for the demo's " +
                "stack, run `. tools/demo-env.sh` first",
        );
    });
});

describe("npm run access-report", () => {
    test.each([
        ["a folder with no Pulumi.yaml", "empty", "has no Pulumi.yaml"],
        ["a folder that does not exist", "nowhere", "does not exist"],
    ])("--cwd naming %s is refused before pulumi runs, with the usage", async (_, folder, problem) => {
        const result = await viaNpm("access-report", dir, ["--stack", "t", "--no-cluster", "--cwd", folder]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(
            `access-report: ${path.join(dir, folder)} ${problem}: give --cwd <project folder>`,
        );
        expect(result.stderr).toContain("usage: access-report --stack");
    });
});
