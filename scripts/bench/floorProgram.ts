/**
 * The engine's floor (`npm run bench -- --engine-floor`): a trivial Pulumi
 * program that registers `resources` component resources, each with one
 * output of `bytesPerResource` characters, and nothing else: no provider, no
 * service, no logic. What a run of it costs is the engine's own cost per
 * resource and per byte of state, which no program can go below.
 */
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const resources = config.requireNumber("resources");
const bytesPerResource = config.requireNumber("bytesPerResource");

class FloorResource extends pulumi.ComponentResource {
    constructor(name: string, payload: string) {
        super("floor:index:Resource", name, {}, {});
        this.registerOutputs({ payload });
    }
}

for (let i = 0; i < resources; i++) {
    // Deterministic, so a second `pulumi up` changes nothing.
    new FloorResource(`r${i}`, `${i}:`.padEnd(bytesPerResource, "x"));
}
