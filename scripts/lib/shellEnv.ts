import { execFileSync, spawnSync } from "child_process";

/**
 * The environment a bash shell has after sourcing `file` (`. file`), started
 * with `base`: what a user's shell gets from `. tools/env.sh`. Values only;
 * variables the file unsets are absent.
 */
export function sourcedEnv(file: string, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
    const text = execFileSync("bash", ["-c", '. "$1" && env -0', "bash", file], { encoding: "utf8", env: base });
    const env: Record<string, string> = {};
    for (const line of text.split("\0").filter(Boolean)) {
        const at = line.indexOf("=");
        env[line.slice(0, at)] = line.slice(at + 1);
    }
    return env;
}

/** The path of `command` on the PATH of `env` (bash's `command -v`), or undefined. */
export function which(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const found = spawnSync("bash", ["-c", 'command -v "$1"', "bash", command], { env, encoding: "utf8" });
    return found.status === 0 ? found.stdout.trim() : undefined;
}
