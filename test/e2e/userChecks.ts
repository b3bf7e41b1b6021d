import * as fs from "fs";
import * as path from "path";
import { LocalCluster } from "../harness/localCluster";

/**
 * What the end-to-end suites do with a user's kubeconfig, the way the user
 * would: write it to a file (with their own key beside it, for users who
 * brought their own CSR) and ask the API server who they are and what they
 * may do.
 */
export class UserChecks {
    constructor(
        private readonly cluster: LocalCluster,
        /** Folder the kubeconfigs are written under, one subfolder per user. */
        private readonly dir: string,
    ) {}

    /** Writes `<dir>/kubeconfigs/<name>/config` (mode 0600), and the user's own key as `<name>.key` beside it. */
    kubeconfigFile(name: string, text: string, keyPem?: string): string {
        const userDir = path.join(this.dir, "kubeconfigs", name);
        fs.mkdirSync(userDir, { recursive: true });
        const file = path.join(userDir, "config");
        fs.writeFileSync(file, text, { mode: 0o600 });
        if (keyPem) fs.writeFileSync(path.join(userDir, `${name}.key`), keyPem, { mode: 0o600 });
        return file;
    }

    /** `kubectl auth whoami`: the user name and groups the API server sees. */
    async whoami(kubeconfig: string): Promise<{ username: string; groups: string[] }> {
        const result = await this.cluster.kubectl(["auth", "whoami", "-o", "json"], { kubeconfig });
        return JSON.parse(result.stdout).status.userInfo;
    }

    /** `kubectl auth can-i <args>`: true for "yes". */
    async canI(kubeconfig: string, ...args: string[]): Promise<boolean> {
        const result = await this.cluster.kubectl(["auth", "can-i", ...args], { kubeconfig, check: false });
        return result.stdout.trim() === "yes";
    }
}

/**
 * The environment that runs Node.js processes (the program and its dynamic
 * providers) `minutes` ahead of the real time with libfaketime (Debian package
 * faketime, which test/e2e/run.sh installs); the Go engine and providers are
 * static binaries and keep the real time.
 */
export function faketimeAhead(minutes: number): Record<string, string> {
    const library = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    ].find((f) => fs.existsSync(f));
    if (!library) throw new Error("libfaketime is not installed: apt-get install faketime (test/e2e/run.sh does)");
    return { LD_PRELOAD: library, FAKETIME: `+${minutes}m`, FAKETIME_DONT_FAKE_MONOTONIC: "1" };
}
