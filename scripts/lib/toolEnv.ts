import { execFileSync, spawn } from "child_process";
import * as path from "path";

/** The repository root. */
export const repoRoot = path.resolve(__dirname, "..", "..");

/**
 * The environment of the demo's and tests' own runs, `tools/harness-env.sh`
 * (built tools on PATH, offline engine settings, no backend, passphrase or
 * stack of the calling shell), on top of the current one, with overrides
 * applied last.
 */
export function toolEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
    const text = execFileSync("bash", ["-c", `. "${repoRoot}/tools/harness-env.sh" && env -0`], {
        encoding: "utf8",
        env: { ...process.env, ...overrides },
    });
    const env: NodeJS.ProcessEnv = {};
    for (const line of text.split("\0").filter(Boolean)) {
        const at = line.indexOf("=");
        env[line.slice(0, at)] = line.slice(at + 1);
    }
    return { ...env, ...overrides };
}

/** Result of a finished command. */
export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
    seconds: number;
}

/** Options of {@link run}. */
export interface RunOptions {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    /** Text for standard input. */
    input?: string;
    /** Print output as it comes (prefixed), for long steps. */
    echo?: string;
    /** Throw when the command fails (default true). */
    check?: boolean;
}

/** Runs a command to completion without a shell; output is captured (and echoed if asked). */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
        let stdout = "";
        let stderr = "";
        const echo = (chunk: Buffer) => {
            if (options.echo) {
                for (const line of chunk.toString().split("\n").filter(Boolean)) {
                    process.stdout.write(`${options.echo} ${line}\n`);
                }
            }
        };
        child.stdout.on("data", (c: Buffer) => ((stdout += c), echo(c)));
        child.stderr.on("data", (c: Buffer) => ((stderr += c), echo(c)));
        child.on("error", reject);
        child.on("close", (code) => {
            const result = { code: code ?? -1, stdout, stderr, seconds: (Date.now() - started) / 1000 };
            if (code !== 0 && options.check !== false) {
                reject(
                    new Error(
                        `${command} ${args.join(" ")} exited with ${code}\n--- stdout ---\n${stdout.slice(-6000)}\n--- stderr ---\n${stderr.slice(-6000)}`,
                    ),
                );
            } else resolve(result);
        });
        child.stdin.end(options.input ?? "");
    });
}
