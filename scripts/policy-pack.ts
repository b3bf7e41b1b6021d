// Prints the folder to give `pulumi preview --policy-pack` (and `pulumi up
// --policy-pack`) for kube-access's guardrail policy pack:
//
//   pulumi preview --policy-pack "$(npm run --silent policy-pack)"
//
// With the engine kube-access builds (tools/build-engine.sh: CLI 3.248.0 with
// the 3.68.0 language host, which cannot run a `runtime: nodejs` pack), that
// is policy/ linked into .kube-access/policy-pack with a PulumiPolicy.yaml that
// names the npm launcher's runtime (README, "Guardrail policy pack"). With
// `--standard` it prints policy/ itself, for a standard Pulumi CLI.
//
// Exit codes: 0 printed, 2 usage error.
import * as path from "path";
import { parseArgs } from "util";
import { linkPolicyPackForThisEngine } from "../test/harness/policyPack";
import { checkoutRoot } from "./lib/projectFolder";

const usage = "usage: policy-pack [--standard]";

function main(args: string[]): number {
    let standard: boolean;
    try {
        standard = parseArgs({ args, options: { standard: { type: "boolean", default: false } }, strict: true }).values
            .standard;
    } catch (e) {
        console.error(`policy-pack: ${(e as Error).message}\n${usage}`);
        return 2;
    }
    const runDir = process.env.KUBE_ACCESS_RUN_DIR ?? path.join(checkoutRoot, ".kube-access");
    console.log(
        standard ? path.join(checkoutRoot, "policy") : linkPolicyPackForThisEngine(path.join(runDir, "policy-pack")),
    );
    return 0;
}

process.exit(main(process.argv.slice(2)));
