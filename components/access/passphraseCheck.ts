import * as fs from "fs";

/**
 * The passphrase kube-access's demo and tests once set for every shell that
 * sourced tools/env.sh. It is printed in this repository, so secrets encrypted
 * with it (a CA key, an admin kubeconfig) are readable by anyone who has the
 * stack file and the repository.
 */
export const publishedDemoPassphrase = "kube-access-local";

/**
 * A warning for a stack whose secrets use the published demo passphrase
 * outside the demo's own backend (`file://…/.kube-access/demo/state`), or
 * undefined. Reads `PULUMI_CONFIG_PASSPHRASE`, or the file that
 * `PULUMI_CONFIG_PASSPHRASE_FILE` names, and `PULUMI_BACKEND_URL`, from `env`.
 * Never includes the passphrase of a stack that does not use the published one.
 */
export function publishedPassphraseWarning(
    env: NodeJS.ProcessEnv,
    readFile: (file: string) => string = (file) => fs.readFileSync(file, "utf8"),
): string | undefined {
    let passphrase = env.PULUMI_CONFIG_PASSPHRASE;
    if (passphrase === undefined && env.PULUMI_CONFIG_PASSPHRASE_FILE) {
        try {
            passphrase = readFile(env.PULUMI_CONFIG_PASSPHRASE_FILE).trim();
        } catch {
            return undefined;
        }
    }
    if (passphrase !== publishedDemoPassphrase) return undefined;
    if (/^file:\/\/.*\/\.kube-access\/demo\/state\/?$/.test(env.PULUMI_BACKEND_URL ?? "")) return undefined;
    return (
        `this stack's secrets are encrypted with the demo passphrase "${publishedDemoPassphrase}", which is printed ` +
        "in the kube-access repository: anyone with the stack file can read its CA key and admin kubeconfig. " +
        "Move the stack to a secrets provider of your own: pulumi stack change-secrets-provider <provider> " +
        "(README, Using it on an existing cluster)"
    );
}
