/**
 * The engine's floor (`npm run bench -- --engine-floor`): a trivial Pulumi
 * program that registers `resources` component resources, each with one
 * output of `bytesPerResource` characters, and nothing else: no provider, no
 * service, no logic. What a run of it costs is the engine's own cost per
 * resource and per byte of state, which no program can go below. With
 * `secretOutputs: true` in config every output is a secret, stored as
 * ciphertext. With `secrets: K` and `bytesPerSecret: S`, K further outputs
 * of S characters, each a secret, are spread evenly over the resources, as a
 * real state's secrets are (scripts/bench/stateSecrets.ts).
 */
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

/**
 * A whole number from config. Refused with a RunError, as kube-access refuses
 * its config, not through `Config.requireNumber`: in SDK 3.248 a value that is
 * not a number there took 33 s and 3.6 GB to be refused.
 */
function wholeNumber(key: string): number {
    const value = Number(config.require(key));
    if (!Number.isInteger(value) || value < 0) throw new pulumi.RunError(`${key} must be a whole number`);
    return value;
}

const resources = wholeNumber("resources");
const bytesPerResource = wholeNumber("bytesPerResource");
const secretOutputs = config.get("secretOutputs") === "true";
const secrets = config.get("secrets") === undefined ? 0 : wholeNumber("secrets");
const bytesPerSecret = config.get("bytesPerSecret") === undefined ? 0 : wholeNumber("bytesPerSecret");

class FloorResource extends pulumi.ComponentResource {
    constructor(name: string, outputs: Record<string, pulumi.Input<string>>) {
        super("floor:index:Resource", name, {}, {});
        this.registerOutputs(outputs);
    }
}

for (let i = 0; i < resources; i++) {
    // Deterministic, so a second `pulumi up` changes nothing.
    const payload = `${i}:`.padEnd(bytesPerResource, "x");
    const outputs: Record<string, pulumi.Input<string>> = {
        payload: secretOutputs ? pulumi.secret(payload) : payload,
    };
    // Resource i holds the secrets numbered from floor(i*K/R) up to floor((i+1)*K/R).
    const first = Math.floor((i * secrets) / resources);
    const next = Math.floor(((i + 1) * secrets) / resources);
    for (let j = first; j < next; j++) outputs[`secret${j}`] = pulumi.secret(`${j}:`.padEnd(bytesPerSecret, "s"));
    new FloorResource(`r${i}`, outputs);
}
