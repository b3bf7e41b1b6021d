/**
 * Where a command was started and which Pulumi project it acts on, the same
 * for every `npm run` command of kube-access (`kubeconfig`, `access-report`,
 * `recover`).
 *
 * npm runs a package's scripts in the package root and gives the folder it
 * was started in as `INIT_CWD` (https://docs.npmjs.com/cli/commands/npm-run-script);
 * run directly (`ts-node scripts/<name>.ts`), the current folder is where it
 * was started.
 */
import * as fs from "fs";
import * as path from "path";

/** This checkout's root: the package npm runs kube-access's scripts in. */
export const checkoutRoot = path.resolve(__dirname, "..", "..");

/** What the rules read from the process; tests give their own. */
export interface Invocation {
    /** This checkout's root (the package npm runs scripts in). */
    root: string;
    /** `process.cwd()`. */
    cwd: string;
    env: NodeJS.ProcessEnv;
}

/** The process's own {@link Invocation}. */
export function invocation(): Invocation {
    return { root: checkoutRoot, cwd: process.cwd(), env: process.env };
}

/**
 * The folder the command was started in: `INIT_CWD` when npm ran it from the
 * package root, else the current folder. Relative paths a user gives on the
 * command line (files to read or write) are taken relative to it.
 */
export function startedIn({ root, cwd, env }: Invocation): string {
    return path.resolve(cwd) === path.resolve(root) ? path.resolve(env.INIT_CWD ?? root) : path.resolve(cwd);
}

/** `file`, a path given on the command line, resolved from where the command was started. */
export function fromStartedIn(file: string, at: Invocation = invocation()): string {
    return path.resolve(startedIn(at), file);
}

/**
 * The stack's project folder, in this order:
 * 1. `option` (a `--cwd` argument), relative to {@link startedIn};
 * 2. the folder the command was started in, if it holds a `Pulumi.yaml` and
 *    is not the checkout;
 * 3. the demo's project, in a shell pointed at the demo (`tools/demo-env.sh`
 *    sets `KUBE_ACCESS_DEMO_SHELL=1`);
 * 4. the checkout.
 *
 * `exists` tells whether a file exists (tests give their own).
 */
export function projectFolder(
    at: Invocation,
    option?: string,
    exists: (file: string) => boolean = fs.existsSync,
): string {
    const started = startedIn(at);
    if (option) return path.resolve(started, option);
    if (started !== path.resolve(at.root) && exists(path.join(started, "Pulumi.yaml"))) return started;
    if (at.env.KUBE_ACCESS_DEMO_SHELL === "1") {
        return path.join(at.env.KUBE_ACCESS_RUN_DIR ?? path.join(at.root, ".kube-access"), "demo", "project");
    }
    return path.resolve(at.root);
}

/**
 * Why `folder` cannot be the stack's project folder (it does not exist, or
 * has no `Pulumi.yaml`), as a message that says what to give instead; or
 * `undefined` when it can.
 */
export function projectFolderProblem(
    folder: string,
    exists: (file: string) => boolean = fs.existsSync,
): string | undefined {
    if (!exists(folder)) return `${folder} does not exist: give --cwd <project folder>`;
    if (!exists(path.join(folder, "Pulumi.yaml"))) return `${folder} has no Pulumi.yaml: give --cwd <project folder>`;
    return undefined;
}
