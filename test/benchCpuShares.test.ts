import { CpuProfile, cpuShares, ownWorkFloor, totalSeconds } from "../scripts/bench/cpuShares";

const root = "/repo";

/**
 * A profile from call paths: each path runs from the root frame to the
 * sampled one, as `<function>@<file>`; each sample takes `micros`.
 */
function profileOf(samples: [string[], number][]): CpuProfile {
    const nodes: CpuProfile["nodes"] = [{ id: 1, callFrame: { functionName: "(root)", url: "" }, children: [] }];
    const leaves: number[] = [];
    for (const [path] of samples) {
        let parent = nodes[0];
        for (const frame of path) {
            const at = frame.indexOf("@");
            const [functionName, url] = at < 0 ? [frame, ""] : [frame.slice(0, at), frame.slice(at + 1)];
            let child = (parent.children ?? [])
                .map((id) => nodes.find((n) => n.id === id)!)
                .find((n) => n.callFrame.functionName === functionName && n.callFrame.url === url);
            if (!child) {
                child = { id: nodes.length + 1, callFrame: { functionName, url }, children: [] };
                nodes.push(child);
                parent.children!.push(child.id);
            }
            parent = child;
        }
        leaves.push(parent.id);
    }
    return { nodes, samples: leaves, timeDeltas: samples.map(([, micros]) => micros) };
}

const sdk = (name: string) => `${name}@file:///repo/node_modules/@pulumi/pulumi/${name}.js`;
const tlsPackage = "PrivateKey@file:///repo/node_modules/@pulumi/tls/privateKey.js";
const kubeAccess = (name: string) => `${name}@file:///repo/components/${name}.ts`;
const library = (name: string) => `${name}@file:///repo/node_modules/${name}/index.js`;
const harness = (name: string) => `${name}@file:///repo/${name}.ts`;

describe("the mock comparison charges each CPU sample to one share", () => {
    it("by the innermost project frame and whether the SDK runs inside it", () => {
        const shares = cpuShares(
            profileOf([
                // kube-access signing a CSR inside an apply callback: its own work, though the SDK called it.
                [
                    [
                        "runMicrotasks",
                        sdk("applyHelper"),
                        kubeAccess("certificateUser"),
                        kubeAccess("buildCsrPem"),
                        library("noble"),
                    ],
                    3_000_000,
                ],
                // kube-access parsing YAML as it validates.
                [[harness("scripts/bench/mockRun"), "index@file:///repo/index.ts", library("yaml")], 500_000],
                // kube-access declaring a resource: the provider package and the SDK.
                [[kubeAccess("certificateUser"), tlsPackage, sdk("resource")], 2_000_000],
                // An apply of kube-access that makes an Output.
                [[sdk("applyHelper"), kubeAccess("kubeAccess"), sdk("output")], 250_000],
                // The baseline declaring a resource.
                [[harness("scripts/bench/mockRun"), sdk("resource")], 1_000_000],
                // The mocks making a key for the SDK, and the SDK calling them.
                [
                    [
                        sdk("mockMonitor"),
                        harness("test/helpers/mocks"),
                        "generateKeyPairSync@node:internal/crypto/keygen",
                    ],
                    400_000,
                ],
                // No project frame: garbage collection, continuations, Node.js.
                [["(garbage collector)"], 1_500_000],
                [["runMicrotasks", sdk("debuggable")], 700_000],
                [["(program)"], 100_000],
                [["(idle)"], 50_000],
                // A file that only looks like the repository's.
                [["x@file:///repository-elsewhere/components/x.ts"], 20_000],
            ]),
            root,
        );
        expect(shares.ownWork).toBeCloseTo(3.5, 6);
        expect(shares.declaring).toBeCloseTo(3.25, 6);
        expect(shares.harness).toBeCloseTo(0.4, 6);
        expect(shares.runtime).toBeCloseTo(2.32, 6);
        expect(shares.idle).toBeCloseTo(0.05, 6);
        expect(totalSeconds(shares)).toBeCloseTo(9.52, 6);
    });

    it("the floor adds the own work's share of the program's timed minimum to the baseline's", () => {
        const times = {
            programSeconds: 7,
            baselineSeconds: 3,
            // Profiled, both ran slower, by different amounts: only the program's split is used.
            program: { ownWork: 2, declaring: 1.5, harness: 0.2, runtime: 4.3, idle: 0 },
            baseline: { ownWork: 0, declaring: 1.2, harness: 0.3, runtime: 2.5, idle: 0 },
        };
        const floor = ownWorkFloor(times);
        expect(floor.ownWorkShare).toBeCloseTo(0.25, 9);
        expect(floor.ownWorkSeconds).toBeCloseTo(1.75, 9);
        expect(floor.floorSeconds).toBeCloseTo(4.75, 9);
        expect(floor.ratio).toBeCloseTo(7 / 4.75, 9);
        // A program with no own work has the baseline as its floor.
        const none = ownWorkFloor({ ...times, program: { ...times.program, ownWork: 0 } });
        expect(none.floorSeconds).toBe(3);
        expect(none.ratio).toBeCloseTo(7 / 3, 9);
    });
});
