import * as fs from "fs";
import * as path from "path";
import { run, toolEnv } from "../../scripts/lib/toolEnv";

// The engine built by tools/build-engine.sh. The full lifecycle (up, second
// up, outputs, destroy) runs in access.test.ts against a real cluster.
const env = toolEnv();

test("pulumi is the pinned CLI release, with the Node.js language host and dynamic provider launcher beside it", async () => {
    expect((await run("pulumi", ["version"], { env })).stdout.trim()).toBe("v3.248.0");
    for (const plugin of ["pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
        expect(fs.existsSync(path.join(env.KUBE_ACCESS_PULUMI_BIN!, plugin))).toBe(true);
    }
});

test("the kubernetes provider is registered at the version the npm SDK asks for", async () => {
    const sdkVersion = JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8")).version;
    const plugins = JSON.parse((await run("pulumi", ["plugin", "ls", "--json"], { env })).stdout) as {
        name: string;
        kind: string;
        version: string;
    }[];
    expect(plugins.filter((p) => p.kind === "resource").map((p) => `${p.name}@${p.version}`)).toContain(
        `kubernetes@${sdkVersion}`,
    );
});
