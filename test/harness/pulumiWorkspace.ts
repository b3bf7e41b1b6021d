import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CommandResult, repoRoot, run, toolEnv } from "./toolEnv";

/** Files of the program a workspace links to, so it runs the checkout's code. */
const programFiles = ["Pulumi.yaml", "index.ts", "components", "package.json", "tsconfig.json", "node_modules"];

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
}

/** Engine commands whose progress is echoed; the output of every other command is data, kept only in the log. */
const echoedCommands = ["up", "preview", "destroy", "refresh"];

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

/**
 * A stack of the kube-access program run by the real Pulumi engine in its own
 * folder, with a local file backend and passphrase secrets, both in that folder
 * (`<dir>/state`, `<dir>/passphrase`) and nowhere else: no backend or
 * passphrase of the calling shell is used (tools/harness-env.sh). Every
 * command's output is kept in `<dir>/pulumi.log`, which tests search for leaked
 * secrets; only engine operations (up, preview, destroy, refresh) are echoed.
 */
export class PulumiWorkspace {
    readonly projectDir: string;
    readonly logFile: string;
    readonly stateDir: string;

    private constructor(
        readonly options: WorkspaceOptions,
        /** The environment every engine command runs with. */
        readonly env: NodeJS.ProcessEnv,
    ) {
        this.projectDir = path.join(options.dir, "project");
        this.logFile = path.join(options.dir, "pulumi.log");
        this.stateDir = path.join(options.dir, "state");
    }

    static async create(options: WorkspaceOptions): Promise<PulumiWorkspace> {
        const stateDir = path.join(options.dir, "state");
        const passphraseFile = workspacePassphraseFile(options.dir);
        fs.mkdirSync(stateDir, { recursive: true });
        // Type checking is done by `npm run build`; the engine only transpiles, which is much faster.
        const env = toolEnv({
            PULUMI_BACKEND_URL: `file://${stateDir}`,
            PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile,
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            ...(options.env ?? {}),
        });
        const workspace = new PulumiWorkspace(options, env);
        fs.mkdirSync(workspace.projectDir, { recursive: true });
        for (const file of programFiles) {
            const link = path.join(workspace.projectDir, file);
            if (!fs.existsSync(link)) fs.symlinkSync(path.join(repoRoot, file), link);
        }
        const stacks = await workspace.pulumi(["stack", "ls", "--json"]);
        const exists = (JSON.parse(stacks.stdout) as { name: string }[]).some((s) => s.name === options.stack);
        if (!exists) await workspace.pulumi(["stack", "init", options.stack, "--secrets-provider", "passphrase"]);
        await workspace.configure(options.config, options.secrets);
        return workspace;
    }

    /** Replaces the stack's plain config and sets the given secrets. */
    async configure(config: Record<string, unknown>, secrets: Record<string, string>): Promise<void> {
        const file = path.join(this.projectDir, `Pulumi.${this.options.stack}.yaml`);
        const current = fs.existsSync(file) ? (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) : {};
        // Secrets set earlier stay unless replaced; every plain value is replaced.
        const keptSecrets = Object.fromEntries(
            Object.entries((current.config ?? {}) as Record<string, unknown>).filter(
                ([key, value]) => !(key in config) && JSON.stringify(value).includes('"secure"'),
            ),
        );
        fs.writeFileSync(file, YAML.stringify({ ...current, config: { ...keptSecrets, ...config } }));
        for (const [key, value] of Object.entries(secrets)) {
            const nested = key.includes(".");
            // The value goes through standard input, never the command line.
            await this.pulumi(["config", "set", "--secret", ...(nested ? ["--path"] : []), key], { input: value });
        }
    }

    /** Runs `pulumi <args>` for this stack in the project folder. */
    async pulumi(
        args: string[],
        opts: { input?: string; check?: boolean; env?: Record<string, string> } = {},
    ): Promise<CommandResult> {
        const stackScoped = !["stack", "login"].includes(args[0]) || ["output", "export"].includes(args[1]);
        const fullArgs = [...args, ...(stackScoped ? ["--stack", this.options.stack] : []), "--non-interactive"];
        const result = await run("pulumi", fullArgs, {
            cwd: this.projectDir,
            env: { ...this.env, ...opts.env },
            input: opts.input,
            echo: echoedCommands.includes(args[0]) ? this.options.echo : undefined,
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

    /** `pulumi up`; `env` is added to the engine's environment for this run only. */
    up(extra: string[] = [], env?: Record<string, string>): Promise<CommandResult> {
        // Outputs are read with `stack output`; the engine's dump of them and its progress dots only bury what matters.
        return this.pulumi(["up", "--yes", "--skip-preview", "--suppress-outputs", "--suppress-progress", ...extra], {
            env,
        });
    }

    preview(extra: string[] = []): Promise<CommandResult> {
        return this.pulumi(["preview", "--diff", ...extra]);
    }

    destroy(): Promise<CommandResult> {
        return this.pulumi(["destroy", "--yes", "--skip-preview", "--suppress-progress"]);
    }

    /** Stack outputs; secrets in plain text only when asked. */
    async outputs(showSecrets = false): Promise<Record<string, unknown>> {
        const result = await this.pulumi(["stack", "output", "--json", ...(showSecrets ? ["--show-secrets"] : [])]);
        return JSON.parse(result.stdout);
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

    /** Removes the stack (after destroy) from the backend. */
    async removeStack(): Promise<void> {
        await this.pulumi(["stack", "rm", this.options.stack, "--yes", "--force"], { check: false });
    }
}
