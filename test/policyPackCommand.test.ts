import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { launcherRuntime } from "./harness/policyPack";
import { repoRoot, scriptArgs } from "./harness/toolEnv";

// `npm run policy-pack`: the folder to give --policy-pack with the engine built here, or policy/ itself.
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-policy-pack-"));
afterAll(() => fs.rmSync(runDir, { recursive: true, force: true }));

const policyPack = (...args: string[]) =>
    spawnSync("node", scriptArgs("policy-pack", args), {
        encoding: "utf8",
        env: { ...process.env, KUBE_ACCESS_RUN_DIR: runDir },
    });

test("prints a folder with the pack's code and a PulumiPolicy.yaml naming the npm launcher's runtime; again, the same", () => {
    for (let run = 0; run < 2; run++) {
        const result = policyPack();
        expect(result.status).toBe(0);
        const folder = result.stdout.trim();
        expect(folder).toBe(path.join(runDir, "policy-pack"));
        expect(fs.readFileSync(path.join(folder, "PulumiPolicy.yaml"), "utf8")).toMatch(
            new RegExp(`^runtime: ${launcherRuntime()}$`, "m"),
        );
        for (const file of ["index.ts", "rules.ts", "package.json"]) {
            expect(fs.realpathSync(path.join(folder, file))).toBe(path.join(repoRoot, "policy", file));
        }
    }
});

test("--standard prints policy/ itself; an unknown option is a usage error (exit 2)", () => {
    expect(policyPack("--standard").stdout.trim()).toBe(path.join(repoRoot, "policy"));
    const bad = policyPack("--nope");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("usage: policy-pack [--standard]");
});
