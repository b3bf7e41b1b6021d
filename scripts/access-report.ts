/**
 * The access-change report: compares what a stack grants now (its `users`
 * output) with what the working tree's config would grant, and prints per
 * user who gains and who loses what, credential changes and escalations.
 *
 *   npm run access-report -- --stack <stack> [--format markdown|json] [--output <file>]
 *                            [--kubeconfig <file> | --no-cluster] [--at <ISO 8601 time>]
 *                            [--cwd <project folder>]
 *
 * Run it with the same backend and secrets provider login as `pulumi
 * preview`; it reads the stack's outputs and config without decrypting
 * secrets. The project folder is `--cwd`, else the folder the command was
 * started in if it holds a Pulumi.yaml, else the demo's in a shell pointed at
 * it, else this checkout (scripts/lib/projectFolder.ts); access files are
 * read relative to it. Relative paths in the other options are taken from
 * the folder the command was started in. Role rules come from the cluster,
 * read-only, with --kubeconfig, else the ambient kubeconfig (KUBECONFIG or
 * ~/.kube/config); without a cluster, roles are judged by name.
 *
 * Exit codes: 0 no access change, 2 changes (the report says which), 1 error.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs, promisify } from "util";
import { configKeys, validateAccessSpec, RawConfig } from "../components/access/validate";
import { AccessSpecError } from "../components/intake/reader";
import { configNamespace, parseConfigValue } from "../components/access/load";
import { validateWithAccessFiles } from "../components/intake/accessFiles";
import { planRoleBindings } from "../components/rbac/plan";
import {
    accessFromSpec,
    accessFromUsersOutput,
    proxiesFromOutput,
    proxiesFromSpec,
    subjectsFromOutput,
    subjectsFromSpec,
} from "../components/report/snapshot";
import { buildAccessReport, hasChanges } from "../components/report/diff";
import { renderJson, renderMarkdown } from "../components/report/render";
import { ClusterRoles, lookupFrom, readClusterRoles } from "../components/report/clusterRoles";
import { fromStartedIn, invocation, projectFolder, projectFolderProblem, startedIn } from "./lib/projectFolder";

const run = promisify(execFile);

/** Exit codes, so CI can branch on them. */
export const exitCodes = { noChange: 0, error: 1, changes: 2 } as const;

const usage = `usage: access-report --stack <stack> [--format markdown|json] [--output <file>]
                     [--kubeconfig <file> | --no-cluster] [--at <ISO 8601 time>] [--cwd <project folder>]
exit codes: 0 no access change, 2 changes, 1 error`;

/** One entry of `pulumi config --json`: secret values are absent unless --show-secrets. */
interface ConfigEntry {
    value?: string;
    objectValue?: unknown;
    secret: boolean;
}

async function pulumi(args: string[], cwd: string): Promise<string> {
    try {
        const { stdout } = await run("pulumi", [...args, "--non-interactive"], { cwd, maxBuffer: 64 * 1024 * 1024 });
        return stdout;
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(`pulumi ${args.join(" ")} failed: ${(err.stderr || err.message).trim()}`);
    }
}

/** The `kube-access` config of a stack as the program would read it, without secret values. */
export function rawConfigFrom(entries: Record<string, ConfigEntry>): { raw: RawConfig; secretKeys: string[] } {
    const raw: RawConfig = {};
    const secretKeys: string[] = [];
    for (const [fullKey, entry] of Object.entries(entries)) {
        const [namespace, key] = [fullKey.slice(0, fullKey.indexOf(":")), fullKey.slice(fullKey.indexOf(":") + 1)];
        if (namespace !== configNamespace) continue;
        if (entry.secret) {
            secretKeys.push(key);
            continue;
        }
        raw[key] = entry.objectValue !== undefined ? entry.objectValue : parseConfigValue(entry.value ?? "");
    }
    return { raw, secretKeys };
}

async function main(argv: string[]): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: {
            stack: { type: "string" },
            format: { type: "string", default: "markdown" },
            output: { type: "string" },
            kubeconfig: { type: "string" },
            "no-cluster": { type: "boolean", default: false },
            at: { type: "string" },
            cwd: { type: "string", short: "C" },
            help: { type: "boolean", default: false },
        },
        strict: true,
    });
    if (values.help) {
        console.log(usage);
        return exitCodes.noChange;
    }
    if (!values.stack) throw new UsageError("--stack is required");
    if (values.format !== "markdown" && values.format !== "json") {
        throw new UsageError(`--format must be markdown or json, got ${JSON.stringify(values.format)}`);
    }
    const now = values.at === undefined ? new Date() : new Date(values.at);
    if (Number.isNaN(now.getTime()))
        throw new UsageError(`--at must be an ISO 8601 time, got ${JSON.stringify(values.at)}`);
    const stack = values.stack;
    const projectDir = projectFolder(invocation(), values.cwd);
    const problem = projectFolderProblem(projectDir);
    if (problem) throw new UsageError(problem);

    // On standard error, so the report itself stays clean for a pull request comment.
    const shownDir = path.relative(startedIn(invocation()), projectDir) || ".";
    console.error(
        `access-report: stack ${stack}'s outputs (users, unlistedSubjects, authenticatingProxy) against the config in ${shownDir} ` +
            `(Pulumi.${stack.split("/").pop()}.yaml and the access files it names)`,
    );
    const outputs = JSON.parse(await pulumi(["stack", "output", "--json", "--stack", stack], projectDir)) as Record<
        string,
        unknown
    >;
    const before = accessFromUsersOutput(outputs.users);

    const config = JSON.parse(await pulumi(["config", "--json", "--stack", stack], projectDir)) as Record<
        string,
        ConfigEntry
    >;
    const { raw, secretKeys } = rawConfigFrom(config);
    const spec = validateWithAccessFiles(raw, projectDir, (merged) =>
        validateAccessSpec(merged, {
            secretKeys: secretKeys.filter((k) => (configKeys as readonly string[]).includes(k)),
            secretValuesWithheld: true,
        }),
    );
    const after = accessFromSpec(spec);
    const subjectsBefore = subjectsFromOutput(outputs.unlistedSubjects);
    const subjectsAfter = subjectsFromSpec(spec);

    let cluster: ClusterRoles;
    if (values["no-cluster"]) {
        cluster = lookupFrom(new Map(), "--no-cluster was given");
    } else {
        const kubeconfig = values.kubeconfig ? fs.readFileSync(fromStartedIn(values.kubeconfig), "utf8") : undefined;
        cluster = await readClusterRoles(
            kubeconfig,
            [...before, ...after, ...(subjectsBefore ?? []), ...subjectsAfter].flatMap((u) => u.grants),
        );
    }

    const report = buildAccessReport({
        before,
        after,
        subjectsBefore,
        subjectsAfter,
        proxiesBefore: proxiesFromOutput(outputs.authenticatingProxy),
        proxiesAfter: proxiesFromSpec(spec),
        planned: planRoleBindings(spec),
        rolesOf: cluster.rolesOf,
        now,
        stack,
        cluster: { rulesRead: cluster.rulesRead, ...(cluster.note ? { note: cluster.note } : {}) },
    });
    const text = values.format === "json" ? renderJson(report) : renderMarkdown(report);
    if (values.output) fs.writeFileSync(fromStartedIn(values.output), text);
    else process.stdout.write(text);
    return hasChanges(report) ? exitCodes.changes : exitCodes.noChange;
}

class UsageError extends Error {}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: Error) => {
            const message =
                e instanceof AccessSpecError ? `the working tree's config is invalid:\n${e.message}` : e.message;
            console.error(
                `access-report: ${message}${e instanceof UsageError || e.name === "TypeError" ? `\n${usage}` : ""}`,
            );
            process.exit(exitCodes.error);
        },
    );
}
