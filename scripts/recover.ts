// Brings a stack back after a `pulumi up` that was killed (CI runner gone,
// SIGKILL): docs/operations.md, fault 1.
//
//   npm run recover -- [--stack <stack>] [--cwd <project folder>] [--yes]
//
// The stack's project folder (its Pulumi.yaml and Pulumi.<stack>.yaml, whose
// keycloak:* settings recover uses) is --cwd, else the folder npm was started
// in, else the demo's in a shell pointed at it (tools/demo-env.sh), else this
// checkout.
//
// Without --yes it only reports: the pending operations the killed run left
// in the state and what it would do about each. With --yes it
//   1. removes the killed run's lock (`pulumi cancel`),
//   2. deletes each Keycloak user the killed run made but never recorded (the
//      next `pulumi up` makes it again, with its initial password): a user
//      made before the last recorded update ended is never touched,
//   3. drops the pending creates and reads every resource's real state
//      (`pulumi refresh --clear-pending-creates`).
// Then run `pulumi up`. Run it only once the killed run is really gone.
//
// Exit codes: 0 done (or nothing to do), 2 usage error, 1 other error; on 1
// the steps before the failure have been done and it is safe to run again.
// Uses `pulumi` from PATH, or the one kube-access builds (tools/env.sh).
import * as path from "path";
import { parseArgs } from "util";
import { LocalWorkspace, PulumiCommand, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import { KeycloakAdminApi, keycloakAdminSettings } from "./lib/keycloakAdmin";
import { KeycloakUserRecord, PendingOperation, madeByKilledRun, planRecovery } from "./lib/recovery";
import { checkoutRoot, invocation, projectFolder, projectFolderProblem } from "./lib/projectFolder";
import { sourcedEnv, which } from "./lib/shellEnv";

const usageLine = "usage: npm run recover -- [--stack <stack>] [--cwd <project folder>] [--yes]";

function parse(argv: string[]): { stack?: string; cwd?: string; yes: boolean } {
    try {
        const { values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                cwd: { type: "string", short: "C" },
                yes: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        });
        if (values.help) {
            console.log(usageLine);
            process.exit(0);
        }
        return { stack: values.stack, cwd: values.cwd, yes: values.yes ?? false };
    } catch (e) {
        usage((e as Error).message);
    }
}

function usage(message: string): never {
    console.error(`recover: ${message}\n${usageLine}`);
    process.exit(2);
}

async function main(): Promise<void> {
    const args = parse(process.argv.slice(2));
    const env = which("pulumi") ? process.env : sourcedEnv(path.join(checkoutRoot, "tools", "env.sh"));
    const pulumiBin = which("pulumi", env);
    if (!pulumiBin)
        throw new Error("no pulumi on PATH, and none built yet: install it, or run `bash tools/build-engine.sh`");
    const workDir = projectFolder(invocation(), args.cwd);
    const problem = projectFolderProblem(workDir);
    if (problem) usage(problem);
    const envVars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    const workspace = await LocalWorkspace.create({
        workDir,
        envVars,
        pulumiCommand: await PulumiCommand.get({ root: path.dirname(path.dirname(pulumiBin)), skipVersionCheck: true }),
    });
    const stackName = args.stack ?? process.env.PULUMI_STACK ?? (await workspace.stack())?.name;
    if (!stackName) throw new Error("no stack selected: give --stack <stack>");
    const target = await Stack.select(stackName, workspace).catch((e: Error) => {
        if (!(e instanceof StackNotFoundError)) throw e;
        throw new Error(
            `no stack named ${JSON.stringify(stackName)} in the backend for the project in ${workDir}: give --stack ` +
                "<stack> or --cwd <project folder>, or log in to the stack's backend (`pulumi login`); for the " +
                "demo's stack, run `. tools/demo-env.sh` first",
        );
    });

    const deployment = (await target.exportStack()).deployment as { pending_operations?: PendingOperation[] };
    const steps = planRecovery(deployment.pending_operations ?? []);
    console.log(
        `recover: stack ${stackName} of the project in ${workDir}: ${steps.length} pending operation(s) left by an interrupted run`,
    );

    const history = await target.history(1).catch(() => []);
    const lastUpdateEnd = history[0]?.endTime ? new Date(history[0].endTime).getTime() : undefined;
    const config = Object.fromEntries(
        Object.entries(await target.getAllConfig()).map(([key, value]) => [key, value.value]),
    );
    const needKeycloak = steps.some((s) => s.kind === "keycloakUser");
    const keycloak = needKeycloak ? new KeycloakAdminApi(keycloakAdminSettings(config, env)) : undefined;

    const toDelete: { realm: string; user: KeycloakUserRecord; urn: string }[] = [];
    for (const step of steps) {
        const name = step.urn.split("::").pop();
        const cleared = (reason: string) =>
            console.log(`  ${name}: clear from the state, nothing to delete (${reason})`);
        if (step.kind === "clear") cleared(step.reason);
        else if (step.kind === "check") console.log(`  ${name}: CHECK BY HAND: ${step.reason}`);
        else {
            const query = `/${encodeURIComponent(step.realm)}/users?exact=true&username=${encodeURIComponent(step.username)}`;
            const { status, body } = await keycloak!.call<KeycloakUserRecord[]>("GET", query);
            if (status === 404) {
                cleared(`realm ${step.realm} does not exist, so neither does the user`);
                continue;
            }
            if (status !== 200) throw new Error(`Keycloak GET /admin/realms${query}: HTTP ${status}`);
            const found = body.find((u) => u.username.toLowerCase() === step.username.toLowerCase());
            if (!found) {
                cleared(`Keycloak has no user ${step.username} in realm ${step.realm}`);
            } else if (madeByKilledRun(step, found, lastUpdateEnd)) {
                console.log(
                    `  ${name}: delete Keycloak user ${step.username} in realm ${step.realm}, made by the killed run`,
                );
                toDelete.push({ realm: step.realm, user: found, urn: step.urn });
            } else {
                console.log(
                    `  ${name}: CHECK BY HAND: Keycloak user ${step.username} in realm ${step.realm} existed before ` +
                        "the killed run: adopt it with `pulumi import` or rename the kube-access user",
                );
            }
        }
    }
    if (!args.yes) {
        console.log(
            "recover: nothing changed. With --yes: remove the lock (pulumi cancel), do the above, and clear the " +
                "pending operations while reading every resource's real state (pulumi refresh --clear-pending-creates); " +
                "then run `pulumi up`",
        );
        return;
    }
    try {
        await target.cancel();
        console.log("recover: lock removed (pulumi cancel)");
    } catch (e) {
        // No lock: the run ended on its own, or an earlier recover removed it.
        console.log(`recover: no lock to remove (${(e as Error).message.split("\n").find((l) => l.trim()) ?? ""})`);
    }
    for (const { realm, user } of toDelete) {
        const { status } = await keycloak!.call("DELETE", `/${encodeURIComponent(realm)}/users/${user.id}`);
        if (status !== 204 && status !== 404)
            throw new Error(`deleting Keycloak user ${user.username}: HTTP ${status}`);
        console.log(`recover: deleted Keycloak user ${user.username} in realm ${realm}`);
    }
    let output = "";
    try {
        await target.refresh({ clearPendingCreates: true, onOutput: (text) => (output += text) });
    } catch (e) {
        // The engine's own error lines name the resource and the cause; its full output lists every stack output.
        const errors = `${output}\n${(e as Error).message}`.split("\n").filter((l) => /error:/.test(l));
        throw new Error(
            `pulumi refresh --clear-pending-creates failed:\n${[...new Set(errors)].join("\n")}\n` +
                "fix the cause (a provider that cannot reach its service, say) and run recover again",
        );
    }
    const counts = output
        .slice(output.lastIndexOf("Resources:"))
        .split("\n")
        .slice(1, 5)
        .filter((l) => /^\s+\S/.test(l));
    console.log(`recover: pending operations dropped and state refreshed (${counts.map((l) => l.trim()).join(", ")})`);
    console.log("recover: now run `pulumi up`");
}

main().catch((e: Error) => {
    console.error(`recover: ${e.message}`);
    process.exit(1);
});
