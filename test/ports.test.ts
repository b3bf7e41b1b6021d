import * as fs from "fs";
import * as path from "path";
import { clusterPorts, demoPorts } from "./harness/ports";

/** The first port Linux may give an outgoing connection (`net.ipv4.ip_local_port_range`), 32768 by default. */
function firstEphemeralPort(): number {
    try {
        return Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    } catch {
        return 32768;
    }
}

const suitePorts = Object.entries(clusterPorts).flatMap(([suite, ports]) =>
    Object.entries(ports).map(([role, port]) => ({ where: `${suite}.${role}`, port })),
);

describe("the end-to-end suites' cluster ports", () => {
    test("every port lies above the privileged ports and below the range outgoing connections take theirs from", () => {
        const limit = Math.min(firstEphemeralPort(), 32768);
        const outside = suitePorts.filter(({ port }) => !(Number.isInteger(port) && port > 1024 && port < limit));
        expect(outside).toEqual([]);
    });

    test("no two suites, and no suite and the demo, share a port", () => {
        const owners = new Map<number, string[]>();
        for (const { where, port } of suitePorts) owners.set(port, [...(owners.get(port) ?? []), where]);
        for (const port of demoPorts) owners.set(port, [...(owners.get(port) ?? []), "demo"]);
        expect([...owners].filter(([, who]) => who.length > 1)).toEqual([]);
    });

    test("every suite that starts a cluster takes its ports from the table", () => {
        const dir = path.join(__dirname, "e2e");
        const sources = fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".ts"))
            .map((f) => ({ f, text: fs.readFileSync(path.join(dir, f), "utf8") }));
        const starters = sources.filter(({ text }) => /LocalCluster\.start\(|portEnv\(/.test(text));
        expect(starters.length).toBe(Object.keys(clusterPorts).length);
        const own = starters.filter(({ text }) => !text.includes("clusterPorts.")).map(({ f }) => f);
        expect(own).toEqual([]);
    });
});
