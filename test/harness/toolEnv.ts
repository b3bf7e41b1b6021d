import { spawn } from "child_process";
import * as path from "path";
import { sourcedEnv } from "../../scripts/lib/shellEnv";

/** The repository root. */
export const repoRoot = path.resolve(__dirname, "..", "..");

/**
 * The environment of the demo's and tests' own runs, `tools/harness-env.sh`
 * (built tools on PATH, offline engine settings, no backend, passphrase or
 * stack of the calling shell), on top of the current one, with overrides
 * applied last.
 */
export function toolEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env = sourcedEnv(path.join(repoRoot, "tools", "harness-env.sh"), { ...process.env, ...overrides });
    return { ...env, ...overrides };
}

/**
 * Arguments of `node` that run the user-facing script `scripts/<name>.ts` as
 * its npm script does (ts-node, transpile only), from any folder.
 */
export function scriptArgs(name: string, args: string[]): string[] {
    const tsNode = path.join(repoRoot, "node_modules", ".bin", "ts-node");
    return [tsNode, "--transpile-only", path.join(repoRoot, "scripts", `${name}.ts`), ...args];
}

/**
 * Runs `npm run <name> -- args` as npm does when started in `folder`: in the
 * checkout, with `INIT_CWD` naming `folder`. Never rejects on a failing exit.
 */
export function runScriptViaNpm(
    name: string,
    folder: string,
    args: string[],
    env: NodeJS.ProcessEnv,
): Promise<CommandResult> {
    return run("node", scriptArgs(name, args), { cwd: repoRoot, env: { ...env, INIT_CWD: folder }, check: false });
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

/**
 * A writer that prints text as it comes in whole lines, each prefixed with
 * `prefix` (`[cluster]`) unless it already starts with it; call it with
 * `end` true once the stream is over, to print a last line without newline.
 */
export function lineEcho(prefix: string): (text: string, end?: boolean) => void {
    // Whole lines only: a chunk may end in the middle of one.
    let partial = "";
    return (text, end = false) => {
        const lines = (partial + text).split("\n");
        partial = end ? "" : lines.pop()!;
        for (const line of lines.filter(Boolean)) {
            process.stdout.write(`${line.startsWith(`${prefix} `) ? line : `${prefix} ${line}`}\n`);
        }
    };
}

/** Runs a command to completion without a shell; output is captured (and echoed if asked). */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
        let stdout = "";
        let stderr = "";
        const noEcho = () => undefined;
        const echo = {
            stdout: options.echo ? lineEcho(options.echo) : noEcho,
            stderr: options.echo ? lineEcho(options.echo) : noEcho,
        };
        child.stdout.setEncoding("utf8");
        child.stderr.setEncoding("utf8");
        child.stdout.on("data", (c: string) => ((stdout += c), echo.stdout(c)));
        child.stderr.on("data", (c: string) => ((stderr += c), echo.stderr(c)));
        child.on("error", reject);
        child.on("close", (code) => {
            echo.stdout("", true);
            echo.stderr("", true);
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
