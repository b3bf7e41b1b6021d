import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { fitConfigToProviders } from "../scripts/lib/demoConfig";

const example = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8")).config;

describe("fitConfigToProviders (the demo on machines without some providers)", () => {
    test("with every provider, the example stack is used as it is", () => {
        const fitted = fitConfigToProviders(example, ["kubernetes", "tls", "keycloak"]);
        expect(fitted.config).toEqual(example);
        expect(fitted.notes).toEqual([]);
    });

    test("without tls and keycloak: user2 brings its own CSR, user1 and da-admin are left out, their groups stay declared", () => {
        const fitted = fitConfigToProviders(example, ["kubernetes"]);
        const users = (fitted.config["kube-access:users"] as { name: string }[]).map((u) => u.name);
        expect(users).toEqual(["user2", "sa1"]);
        expect(fitted.ownCsrUsers).toEqual([
            { name: "user2", groups: ["group1", "group2"], keyAlgorithm: "ECDSA-P256" },
        ]);
        expect(fitted.config["kube-access:groups"]).toEqual(["admins"]);
        expect((fitted.config["kube-access:bindings"] as { name: string }[]).map((b) => b.name)).toEqual([
            "group1-view",
            "group2-edit",
            "ci-deployer",
            "admins",
        ]);
        expect(fitted.notes.join("\n")).toMatch(/user1: left out.*tls/);
        expect(fitted.notes.join("\n")).toMatch(/da-admin: left out.*keycloak/);
    });
});
