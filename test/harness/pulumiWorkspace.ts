import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { CommandError, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { projectNodeArgs, withNodeOptions } from "./nodeArgs";
import { CommandResult, lineEcho, repoRoot, run, toolEnv } from "./toolEnv";

/** The files of the program itself (its sources and settings), as a revision of the repository holds them. */
export const programSources = ["Pulumi.yaml", "index.ts", "components", "package.json", "tsconfig.json"];

/** Files of the program a workspace links to, so it runs the checkout's code. */
const programFiles = [...programSources, "node_modules"];

/** Links the program files of `programDir` into the project folder; `replace` swaps existing links. */
function linkProgram(projectDir: string, programDir: string, replace: boolean): void {
    for (const file of programFiles) {
        const link = path.join(projectDir, file);
        if (replace) fs.rmSync(link, { force: true });
        if (!fs.existsSync(link)) fs.symlinkSync(path.join(programDir, file), link);
    }
}

/**
 * `NODE_OPTIONS` for the engine's commands: the caller's (the workspace's
 * `env`, else this process's), then the Node.js arguments of the program in
 * `programDir` (its Pulumi.yaml's `nodeargs`), which the language host built
 * here drops and a released one passes on its command line, after
 * `NODE_OPTIONS`, so that they win.
 */
function programNodeOptions(options: WorkspaceOptions, programDir: string): string | undefined {
    return withNodeOptions(callerNodeOptions(options), projectNodeArgs(programDir));
}

/**
 * The caller's `NODE_OPTIONS` alone, without the program's arguments: what
 * a released CLI gives the dynamic providers' host, which the launcher
 * tools/build-engine.sh installs restores from `KUBE_ACCESS_ENGINE_NODE_OPTIONS`
 * (tools/engine/pulumi-nodejs/launcher.sh).
 */
function callerNodeOptions(options: WorkspaceOptions): string {
    return options.env?.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? "";
}

/** Options of {@link PulumiWorkspace.create}. */
export interface WorkspaceOptions {
    /** Folder for the project links, the stack config, the file backend and logs. */
    dir: string;
    stack: string;
    /** Plain config, by full key (`kube-access:users`). */
    config: Record<string, unknown>;
    /** Secret config, by full key; a nested key may be given as `ns:key.sub` (set with --path). */
    secrets: Record<string, string>;
    /** Extra environment for every command. */
    env?: Record<string, string>;
    /** Prefix for echoed engine output; silent when undefined. */
    echo?: string;
    /** The folder whose program the workspace runs (its Pulumi.yaml, index.ts, components, ...); the checkout by default. */
    programDir?: string;
}

/**
 * Options of an engine operation (up, preview, destroy); the first three are
 * the Automation API's options of the same name (`UpOptions`, `PreviewOptions`).
 */
export interface OperationOptions {
    /** Fail if the operation would change anything (`--expect-no-changes`). */
    expectNoChanges?: boolean;
    /** Read the real state of every resource first (`--refresh`). */
    refresh?: boolean;
    /** Folders of policy packs to run (`--policy-pack`). */
    policyPacks?: string[];
    /** Print each resource's property diff (preview only; default true). */
    diff?: boolean;
    /** Extra environment of the engine (and so of the program and providers), for this run only. */
    env?: Record<string, string>;
    /** Throw if the operation fails (default true); false returns the failed run's exit code and output. */
    check?: boolean;
}

/**
 * Operation options from command-line flags (`["--expect-no-changes"]`), for
 * callers written against the earlier CLI-based helper; an unknown flag throws.
 */
function optionsFromFlags(flags: string[]): OperationOptions {
    const { values } = parseArgs({
        args: flags,
        options: {
            "expect-no-changes": { type: "boolean" },
            refresh: { type: "boolean" },
            "policy-pack": { type: "string", multiple: true },
            diff: { type: "boolean" },
        },
        strict: true,
    });
    return {
        expectNoChanges: values["expect-no-changes"],
        refresh: values.refresh,
        policyPacks: values["policy-pack"],
        diff: values.diff,
    };
}

/**
 * The passphrase of the stacks in a workspace folder: `<dir>/passphrase`, made
 * at random (mode 0600) the first time. A folder whose state predates these
 * files was encrypted with the passphrase tools/env.sh used to set for every
 * shell, `kube-access-local`; that one is written instead, so its stacks stay
 * readable.
 */
export function workspacePassphraseFile(dir: string): string {
    const file = path.join(dir, "passphrase");
    if (!fs.existsSync(file)) {
        const olderState = fs.existsSync(path.join(dir, "state", ".pulumi"));
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, olderState ? "kube-access-local" : crypto.randomBytes(24).toString("base64url"), {
            mode: 0o600,
        });
    }
    return file;
}

/** An engine operation (up, preview, destroy) that the CLI ended with a non-zero exit code. */
export class OperationFailedError extends Error {
    constructor(
        /** The operation: `up`, `preview`, `destroy`. */
        readonly operation: string,
        /** The CLI's exit code. */
        readonly code: number,
        /** The end of what the CLI printed (at most 8,000 characters of each stream); part of the message. */
        readonly output: string,
        /** Whether that output was already echoed as the CLI printed it. */
        readonly echoed: boolean,
    ) {
        super(`pulumi ${operation} failed (exit ${code}):\n${output}`);
        this.name = "OperationFailedError";
    }
}

/**
 * A stack of the kube-access program run by the real Pulumi engine through
 * Pulumi's Automation API (`@pulumi/pulumi/automation`: a LocalWorkspace on
 * the project folder, driving the CLI kube-access built, 3.248.0, found in
 * `$KUBE_ACCESS_PULUMI_BIN`; nothing is downloaded). Its own folder holds a
 * local file backend and passphrase secrets (`<dir>/state`, `<dir>/passphrase`)
 * and nothing else does: no backend or passphrase of the calling shell is
 * used (tools/harness-env.sh). Every command's output is kept in
 * `<dir>/pulumi.log`, which tests search for leaked secrets; only engine
 * operations (up, preview, destroy) are echoed.
 *
 * Two things go to the CLI directly, because the Automation API would expose
 * secrets: secret config values go through standard input (its `setConfig`
 * puts them on the command line), and {@link exportState} keeps secrets
 * encrypted (its `exportStack` decrypts them).
 */
export class PulumiWorkspace {
    readonly projectDir: string;
    readonly logFile: string;
    readonly stateDir: string;

    private constructor(
        readonly options: WorkspaceOptions,
        /** The environment every engine command runs with. */
        readonly env: NodeJS.ProcessEnv,
        /** The Automation API's workspace and stack, for what the methods here do not cover. */
        readonly workspace: LocalWorkspace,
        readonly stack: Stack,
    ) {
        this.projectDir = path.join(options.dir, "project");
        this.logFile = path.join(options.dir, "pulumi.log");
        this.stateDir = path.join(options.dir, "state");
    }

    static async create(options: WorkspaceOptions): Promise<PulumiWorkspace> {
        // The Automation API runs the CLI with this process's environment under the workspace's: a passphrase
        // left there would win over the workspace's passphrase file.
        if (process.env.PULUMI_CONFIG_PASSPHRASE !== undefined) {
            throw new Error(
                "PULUMI_CONFIG_PASSPHRASE is set in this process, and would override the workspace's own passphrase: " +
                    "run through npm run demo or npm run test:e2e (tools/harness-env.sh unsets it), or unset it",
            );
        }
        const stateDir = path.join(options.dir, "state");
        const passphraseFile = workspacePassphraseFile(options.dir);
        fs.mkdirSync(stateDir, { recursive: true });
        // The program's Node.js arguments from its Pulumi.yaml, which the language host built here
        // drops, after the caller's NODE_OPTIONS (which they are merged with, not replaced by).
        const programDir = options.programDir ?? repoRoot;
        const nodeOptions = programNodeOptions(options, programDir);
        const { NODE_OPTIONS: _merged, ...extraEnv } = options.env ?? {};
        // Type checking is done by `npm run build`; the engine only transpiles, which is much faster.
        const env = toolEnv({
            PULUMI_BACKEND_URL: `file://${stateDir}`,
            PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile,
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            ...extraEnv,
            ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
            KUBE_ACCESS_ENGINE_NODE_OPTIONS: callerNodeOptions(options),
        });
        const projectDir = path.join(options.dir, "project");
        fs.mkdirSync(projectDir, { recursive: true });
        linkProgram(projectDir, programDir, false);
        // The CLI kube-access built (tools/build-engine.sh), whose version matches the SDK's; never a download.
        const pulumiCommand = await PulumiCommand.get({ root: path.dirname(env.KUBE_ACCESS_PULUMI_BIN!) });
        const envVars = Object.fromEntries(
            Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
        );
        const workspace = await LocalWorkspace.create({
            workDir: projectDir,
            envVars,
            pulumiCommand,
            secretsProvider: "passphrase",
        });
        const stack = await Stack.createOrSelect(options.stack, workspace);
        const created = new PulumiWorkspace(options, env, workspace, stack);
        await created.configure(options.config, options.secrets);
        return created;
    }

    /** Runs the program in `programDir` from now on (a stack upgraded from an older program to this one, say). */
    useProgram(programDir: string): void {
        linkProgram(this.projectDir, programDir, true);
        // Its own Node.js arguments, as a language host reads them from the project's Pulumi.yaml.
        const nodeOptions = programNodeOptions(this.options, programDir);
        for (const env of [this.env, this.workspace.envVars]) {
            if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
            else delete env.NODE_OPTIONS;
        }
        fs.appendFileSync(this.logFile, `# program: ${programDir}\n`);
    }

    /** Replaces the stack's plain config and sets the given secrets. */
    async configure(config: Record<string, unknown>, secrets: Record<string, string>): Promise<void> {
        const stackName = this.options.stack;
        const settings = await this.workspace.stackSettings(stackName);
        // Secrets set earlier stay unless replaced; every plain value is replaced.
        const keptSecrets = Object.fromEntries(
            Object.entries((settings.config ?? {}) as Record<string, unknown>).filter(
                ([key, value]) => !(key in config) && JSON.stringify(value).includes('"secure"'),
            ),
        );
        await this.workspace.saveStackSettings(stackName, { ...settings, config: { ...keptSecrets, ...config } });
        for (const [key, value] of Object.entries(secrets)) {
            const nested = key.includes(".");
            // The value goes through standard input, never the command line.
            await this.pulumi(["config", "set", "--secret", ...(nested ? ["--path"] : []), key], { input: value });
        }
    }

    /** Removes one config value; a nested key (`ns:key.sub`) is a path. */
    async removeConfig(key: string): Promise<void> {
        await this.stack.removeConfig(key, key.includes("."));
        fs.appendFileSync(this.logFile, `$ pulumi config rm ${key} (Automation API)\n`);
    }

    /**
     * Runs `pulumi <args>` for this stack in the project folder, for what the
     * Automation API does not offer; engine operations go through
     * {@link up}, {@link preview} and {@link destroy}.
     */
    async pulumi(
        args: string[],
        opts: { input?: string; check?: boolean; env?: Record<string, string> } = {},
    ): Promise<CommandResult> {
        const stackScoped = !["stack", "login"].includes(args[0]) || ["output", "export"].includes(args[1]);
        const fullArgs = [...args, ...(stackScoped ? ["--stack", this.options.stack] : []), "--non-interactive"];
        const result = await run(this.workspace.pulumiCommand.command, fullArgs, {
            cwd: this.projectDir,
            env: { ...this.env, ...opts.env },
            input: opts.input,
            check: false,
        });
        // Output asked for with --show-secrets holds secrets on purpose; it is never logged.
        const logged = args.includes("--show-secrets") ? "[output withheld: --show-secrets]\n" : result.stdout;
        fs.appendFileSync(this.logFile, `$ pulumi ${fullArgs.join(" ")}\n${logged}${result.stderr}\n`);
        if (result.code !== 0 && opts.check !== false) {
            throw new Error(
                `pulumi ${fullArgs.join(" ")} failed (exit ${result.code}):\n${result.stdout.slice(-8000)}\n${result.stderr.slice(-8000)}`,
            );
        }
        return result;
    }

    /**
     * Runs one engine operation through the Automation API, with its output
     * collected (and echoed, if asked) as the CLI prints it and kept in the log.
     */
    private async operation(
        name: string,
        options: OperationOptions,
        start: (output: { onOutput: (text: string) => void; onError: (text: string) => void }) => Promise<unknown>,
    ): Promise<CommandResult> {
        const started = Date.now();
        const output = { stdout: "", stderr: "" };
        const echo = { stdout: this.echo(), stderr: this.echo() };
        const saved = { ...this.workspace.envVars };
        Object.assign(this.workspace.envVars, options.env ?? {});
        let code = 0;
        try {
            await start({
                onOutput: (text) => ((output.stdout += text), echo.stdout(text)),
                onError: (text) => ((output.stderr += text), echo.stderr(text)),
            });
        } catch (e) {
            if (!(e instanceof CommandError)) throw e;
            // The CLI's exit code: the Automation API records -2 ("unknown") when the CLI exits with an error,
            // and keeps the real code on the process error it wraps. A CLI that could not start has its reason in
            // the error's stderr; one that ran streamed its output already, which that stderr only repeats.
            const failed = (
                e as unknown as { commandResult: { code: number; stderr: string; err?: { exitCode?: unknown } } }
            ).commandResult;
            const exitCode = typeof failed.err?.exitCode === "number" ? failed.err.exitCode : failed.code;
            code = exitCode === 0 ? 1 : exitCode;
            if (!output.stdout && !output.stderr) output.stderr = failed.stderr;
        } finally {
            this.workspace.envVars = saved;
            echo.stdout("", true);
            echo.stderr("", true);
        }
        fs.appendFileSync(
            this.logFile,
            `$ pulumi ${name} (Automation API) exit ${code}\n${output.stdout}${output.stderr}\n`,
        );
        if (code !== 0 && options.check !== false) {
            throw new OperationFailedError(
                name,
                code,
                `${output.stdout.slice(-8000)}\n${output.stderr.slice(-8000)}`,
                this.options.echo !== undefined,
            );
        }
        return { code, ...output, seconds: (Date.now() - started) / 1000 };
    }

    private echo(): (text: string, end?: boolean) => void {
        return this.options.echo ? lineEcho(this.options.echo) : () => undefined;
    }

    /**
     * `pulumi up`. Options as an object, or as the CLI's flags (`["--expect-no-changes"]`);
     * `env` is added to the engine's environment for this run only.
     */
    up(options: OperationOptions | string[] = {}, env?: Record<string, string>): Promise<CommandResult> {
        const opts = Array.isArray(options) ? optionsFromFlags(options) : options;
        return this.operation("up", { ...opts, env: { ...opts.env, ...env } }, (output) =>
            // Outputs are read with outputs(); the engine's dump of them and its progress dots only bury what matters.
            this.stack.up({
                ...output,
                expectNoChanges: opts.expectNoChanges,
                refresh: opts.refresh,
                policyPacks: opts.policyPacks,
                suppressOutputs: true,
                suppressProgress: true,
            }),
        );
    }

    /** `pulumi preview`, with each resource's diff unless `diff: false`. */
    preview(options: OperationOptions | string[] = {}): Promise<CommandResult> {
        const opts = Array.isArray(options) ? optionsFromFlags(options) : options;
        return this.operation("preview", opts, (output) =>
            this.stack.preview({
                ...output,
                diff: opts.diff ?? true,
                expectNoChanges: opts.expectNoChanges,
                refresh: opts.refresh,
                policyPacks: opts.policyPacks,
            }),
        );
    }

    destroy(options: OperationOptions = {}): Promise<CommandResult> {
        return this.operation("destroy", options, (output) =>
            this.stack.destroy({ ...output, suppressProgress: true }),
        );
    }

    /** Stack outputs by name; a secret one reads `[secret]` (as `pulumi stack output` prints it) unless asked. */
    async outputs(showSecrets = false): Promise<Record<string, unknown>> {
        const outputs = await this.stack.outputs();
        return Object.fromEntries(
            Object.entries(outputs).map(([name, o]) => [name, o.secret && !showSecrets ? "[secret]" : o.value]),
        );
    }

    /** The stack's state as the backend stores it (secrets stay encrypted). */
    async exportState(): Promise<string> {
        return (await this.pulumi(["stack", "export"])).stdout;
    }

    /** Every file the file backend holds for this stack, concatenated. */
    backendFiles(): string {
        const out: string[] = [];
        const walk = (dir: string) => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const p = path.join(dir, entry.name);
                if (entry.isDirectory()) walk(p);
                else out.push(fs.readFileSync(p, "utf8"));
            }
        };
        walk(this.stateDir);
        return out.join("\n");
    }

    /** Removes the stack (after destroy) from the backend; a stack that still has resources is removed too. */
    async removeStack(): Promise<void> {
        await this.workspace.removeStack(this.options.stack, { force: true }).catch((e: Error) => {
            fs.appendFileSync(
                this.logFile,
                `$ pulumi stack rm ${this.options.stack} (Automation API) failed\n${e.message}\n`,
            );
        });
    }
}
