import { sourceDifferences, sourceOfStack, startPromiseSources } from "../scripts/bench/promiseSources";

const repo = "/home/me/kube-access";
const stack = (...frames: string[]) => ["Error", ...frames.map((f) => `    at ${f}`)].join("\n");

describe("sourceOfStack", () => {
    test("the innermost line of the program's own code, under the SDK's frames", () => {
        const text = stack(
            `new OutputImpl (${repo}/node_modules/@pulumi/output.ts:258:32)`,
            `OutputImpl.apply (${repo}/node_modules/@pulumi/output.ts:310:12)`,
            `new CertificateUser (${repo}/components/certificates/certificateUser.ts:138:51)`,
            `new KubeAccess (${repo}/components/access/kubeAccess.ts:140:33)`,
            `Object.<anonymous> (${repo}/index.ts:43:5)`,
        );
        expect(sourceOfStack(text, repo)).toBe("kube-access components/certificates/certificateUser.ts:138");
    });

    test("inside the SDK's resource constructor: the outermost @pulumi class being constructed, before the program's line", () => {
        const roleBinding = stack(
            `new OutputImpl (${repo}/node_modules/@pulumi/output.ts:258:32)`,
            `allAliases (${repo}/node_modules/@pulumi/resource.ts:400:10)`,
            `new Resource (${repo}/node_modules/@pulumi/resource.ts:318:35)`,
            `new CustomResource (${repo}/node_modules/@pulumi/resource.ts:900:9)`,
            `new RoleBinding (${repo}/node_modules/@pulumi/kubernetes/rbac/v1/roleBinding.js:80:9)`,
            `new AccessBindings (${repo}/components/rbac/accessBindings.ts:49:17)`,
        );
        expect(sourceOfStack(roleBinding, repo)).toBe("construct RoleBinding");
        const dynamic = stack(
            `new Resource (${repo}/node_modules/@pulumi/pulumi/resource.js:318:35)`,
            `new CustomResource (${repo}/node_modules/@pulumi/pulumi/resource.js:900:9)`,
            `new Resource (${repo}/node_modules/@pulumi/pulumi/dynamic/index.js:80:9)`,
            `new ClusterSignedCertificate (${repo}/components/certificates/clusterSignedCertificate.ts:164:9)`,
        );
        expect(sourceOfStack(dynamic, repo)).toBe("construct Resource");
        // An Output made by the program's apply is the program's line, not a construction.
        const apply = stack(
            `new OutputImpl (${repo}/node_modules/@pulumi/output.ts:258:32)`,
            `new CertificateUser (${repo}/components/certificates/certificateUser.ts:138:51)`,
        );
        expect(sourceOfStack(apply, repo)).toBe("kube-access components/certificates/certificateUser.ts:138");
    });

    test("index.ts counts as the program's own; scripts, tests and other packages do not", () => {
        expect(sourceOfStack(stack(`main (${repo}/index.ts:12:3)`), repo)).toBe("kube-access index.ts:12");
        expect(
            sourceOfStack(
                stack(
                    `new RoleBinding (${repo}/node_modules/@pulumi/kubernetes/rbac/v1/roleBinding.js:80:9)`,
                    `main (${repo}/scripts/bench/mockRun.ts:200:5)`,
                    `x (${repo}/test/helpers/mocks.ts:10:1)`,
                ),
                repo,
            ),
        ).toBeUndefined();
    });

    test("without a line of the program: the innermost line of @pulumi/pulumi, compiled or source-mapped", () => {
        const text = stack(
            "process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
            `massage (${repo}/node_modules/@pulumi/runtime/stack.ts:187:32)`,
            `x (${repo}/node_modules/@pulumi/pulumi/output.js:100:1)`,
        );
        expect(sourceOfStack(text, repo)).toBe("SDK runtime/stack.ts:187");
        expect(sourceOfStack(stack(`y (${repo}/node_modules/@pulumi/pulumi/output.js:100:1)`), repo)).toBe(
            "SDK output.js:100",
        );
        expect(sourceOfStack(stack("z (node:internal/x:1:1)"), repo)).toBeUndefined();
    });
});

describe("startPromiseSources", () => {
    test("charges promises to the registration under way, and continuations to the source of their chain", async () => {
        const sdk = {
            registerResource: (..._args: unknown[]) => {
                // Two promises, and one more when the first settles.
                void Promise.resolve(1).then(() => Promise.resolve(2));
            },
            registerResourceOutputs: (..._args: unknown[]) => {
                void Promise.resolve(3);
            },
        };
        const original = { ...sdk };
        const stop = startPromiseSources(sdk, repo);
        sdk.registerResource({}, undefined, "tls:index/privateKey:PrivateKey", "key");
        sdk.registerResourceOutputs({ __pulumiType: "kube-access:certificates:CertificateUser" }, {});
        await new Promise((resolve) => setTimeout(resolve, 10));
        const sources = stop();
        expect(sources["register tls:index/privateKey:PrivateKey"]).toBeGreaterThanOrEqual(3);
        expect(sources["outputs of kube-access:certificates:CertificateUser"]).toBe(1);
        // Stopping puts the SDK's functions back.
        expect(sdk).toEqual(original);
        expect(sdk.registerResource).toBe(original.registerResource);
    });
});

test("sourceDifferences: where the program makes more, per user, most first, at most `top`", () => {
    const rows = sourceDifferences({ a: 300, b: 100, c: 50, d: 10 }, { a: 100, b: 100, c: 0, e: 40 }, 10, 2);
    expect(rows).toEqual([
        { source: "a", program: 300, baseline: 100, perUser: 20 },
        { source: "c", program: 50, baseline: 0, perUser: 5 },
    ]);
    expect(sourceDifferences({ a: 1 }, { a: 1 }, 10, 5)).toEqual([]);
});
