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
    /**
     * Print output as it comes, each line prefixed with this (`[cluster]`),
     * unless the line already starts with it; for long steps.
     */
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
        // Whole lines only: a chunk may end in the middle of one.
        const partial = { stdout: "", stderr: "" };
        const echo = (stream: "stdout" | "stderr", text: string, end = false) => {
            if (!options.echo) return;
            const lines = (partial[stream] + text).split("\n");
            partial[stream] = end ? "" : lines.pop()!;
            for (const line of lines.filter(Boolean)) {
                const prefixed = line.startsWith(`${options.echo} `) ? line : `${options.echo} ${line}`;
                process.stdout.write(`${prefixed}\n`);
            }
        };
        child.stdout.setEncoding("utf8");
        child.stderr.setEncoding("utf8");
        child.stdout.on("data", (c: string) => ((stdout += c), echo("stdout", c)));
        child.stderr.on("data", (c: string) => ((stderr += c), echo("stderr", c)));
        child.on("error", reject);
        child.on("close", (code) => {
            echo("stdout", "", true);
            echo("stderr", "", true);
            const result = { code: code ?? -1, stdout, stderr, seconds: (Date.now() - started) / 1000 };
            if (code !== 0 && options.check !== false) {
                reject(
                    new Error(
                        `${command} ${args.join(" ")} exited with ${code}\n--- stdout ---\n${stdout.slice(-6000)}\n--- stderr ---\n${stderr.slice(-6000)}`,
                    ),
                );
            } else resolve(result);
        });
        // A child that exits without reading its input closes the pipe first: not an error of the run.
        child.stdin.on("error", (e: NodeJS.ErrnoException) => {
            if (e.code !== "EPIPE") reject(e);
        });
        child.stdin.end(options.input ?? "");
    });
}
