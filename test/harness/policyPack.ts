import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { repoRoot } from "./toolEnv";

/** Files of the policy pack a linked folder points at. */
const packFiles = ["index.ts", "rules.ts", "package.json", "tsconfig.json"];

/** The runtime name tools/build-engine.sh registered the npm launcher for (tools/versions.sh). */
export function launcherRuntime(): string {
    return execFileSync("bash", ["-c", `. "${repoRoot}/tools/versions.sh" && echo "$PULUMI_POLICY_LAUNCHER_RUNTIME"`], {
        encoding: "utf8",
    }).trim();
}

/**
 * Links the policy pack in policy/ into `dir` for the engine built here: the
 * same code, with a PulumiPolicy.yaml that names the launcher's runtime, so
 * the 3.248.0 CLI starts the npm launcher (its 3.68.0 language host cannot
 * run policy packs). With a standard Pulumi CLI, pass policy/ itself.
 * Returns the folder to give to `--policy-pack`.
 */
export function linkPolicyPackForThisEngine(dir: string): string {
    fs.mkdirSync(dir, { recursive: true });
    for (const file of [...packFiles, "node_modules"]) {
        const link = path.join(dir, file);
        const target =
            file === "node_modules" ? path.join(repoRoot, "node_modules") : path.join(repoRoot, "policy", file);
        if (!fs.existsSync(link)) fs.symlinkSync(target, link);
    }
    const original = fs.readFileSync(path.join(repoRoot, "policy", "PulumiPolicy.yaml"), "utf8");
    if (!/^runtime: nodejs$/m.test(original))
        throw new Error("policy/PulumiPolicy.yaml no longer says runtime: nodejs");
    fs.writeFileSync(
        path.join(dir, "PulumiPolicy.yaml"),
        original.replace(/^runtime: nodejs$/m, `runtime: ${launcherRuntime()}`),
    );
    return dir;
}
