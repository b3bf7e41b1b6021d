import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { moduleSpecifier, providerByReference } from "./byReference";
import { clusterSignedCertificateProvider } from "../certificates/clusterSignedCertificate";
import { serviceAccountTokenProvider } from "../serviceAccounts/serviceAccountToken";

const repoRoot = path.resolve(__dirname, "../..");

describe("moduleSpecifier", () => {
    test.each([
        ["/work/app/components/certificates/user.ts", "/work/app", "./components/certificates/user"],
        ["/work/app/index.js", "/work/app", "./index"],
        ["/work/app/lib/provider.mjs", "/work/app/", "./lib/provider"],
        ["/work/shared/provider.ts", "/work/app", "../shared/provider"],
        ["/work/app/node_modules/kube-access/components/x.js", "/work/app", "kube-access/components/x"],
        ["/work/app/node_modules/@acme/access/dist/p.js", "/elsewhere", "@acme/access/dist/p"],
        ["/w/node_modules/a/node_modules/b/index.js", "/w", "b/index"],
    ])("%s from %s is %s", (file, cwd, expected) => {
        expect(moduleSpecifier(file, cwd)).toBe(expected);
    });
});

/**
 * Serialises `provider` as Pulumi does for `__provider`, then loads it as the
 * dynamic-provider host does (require-from-string, in a fresh Node.js process
 * whose working directory is `cwd`) and calls `diff` with `olds` and `news`.
 */
async function diffThroughHost(
    provider: pulumi.dynamic.ResourceProvider,
    cwd: string,
    olds: object,
    news: object,
): Promise<{ serialized: string; result: unknown }> {
    const serialized = (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "by-reference-"));
    try {
        const file = path.join(scratch, "provider.js");
        fs.writeFileSync(file, serialized);
        const script = `
            const provider = require(${JSON.stringify(require.resolve("require-from-string"))})(
                require("fs").readFileSync(${JSON.stringify(file)}, "utf8")).handler();
            provider.diff("id", ${JSON.stringify(olds)}, ${JSON.stringify(news)})
                .then((result) => process.stdout.write(JSON.stringify({ result })));`;
        // stderr is captured: a failure's message carries it.
        const stdout = execFileSync(process.execPath, ["-e", script], { cwd, encoding: "utf8", stdio: "pipe" });
        return { serialized, ...JSON.parse(stdout) };
    } finally {
        // Also when the host fails, as one test expects it to.
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

describe("providerByReference", () => {
    const olds = { namespace: "ns", secretName: "a", secretUid: "1", timeoutSeconds: 60 };
    const provider = providerByReference(
        serviceAccountTokenProvider,
        path.join(repoRoot, "components/serviceAccounts/serviceAccountToken.ts"),
        "serviceAccountTokenProvider",
    );

    test("the stored provider is a short reference that the host resolves to this checkout's code", async () => {
        const news = { ...olds, secretUid: "2" };
        const { serialized, result } = await diffThroughHost(provider, repoRoot, olds, news);
        expect(serialized.length).toBeLessThan(3000);
        expect(serialized).toContain('"./components/serviceAccounts/serviceAccountToken"');
        expect(serialized).not.toContain("readServiceAccountToken");
        expect(result).toEqual(await serviceAccountTokenProvider.diff!("id", olds, news));
        expect(result).toMatchObject({ changes: true, replaces: ["secretUid"] });
    });

    test("it offers the host exactly the methods the provider has", async () => {
        const methods = Object.keys(serviceAccountTokenProvider).sort();
        expect(Object.keys(provider).sort()).toEqual(methods);
        expect(methods).not.toContain("read");
        const { result } = await diffThroughHost(provider, repoRoot, olds, olds);
        expect(result).toMatchObject({ changes: false });
    });

    test("by value, the same provider stores all the code it reaches, over five times as much", async () => {
        const byValue = (await pulumi.runtime.serializeFunction(() => clusterSignedCertificateProvider)).text;
        const certificateProvider = providerByReference(
            clusterSignedCertificateProvider,
            path.join(repoRoot, "components/certificates/clusterSignedCertificate.ts"),
            "clusterSignedCertificateProvider",
        );
        const byReference = (await pulumi.runtime.serializeFunction(() => certificateProvider)).text;
        expect(byValue.length).toBeGreaterThan(5 * byReference.length);
    });

    test("a host started outside the project folder names the module, the folder and the fix", async () => {
        const elsewhere = fs.realpathSync(os.tmpdir());
        await expect(diffThroughHost(provider, elsewhere, olds, olds)).rejects.toThrow(
            `kube-access cannot load its provider serviceAccountTokenProvider from ./components/serviceAccounts/serviceAccountToken in ${elsewhere}`,
        );
    });
});
